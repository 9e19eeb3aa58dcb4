import { buildPath, ROUTES, type RouteSpec } from './routes.js';

describe('buildPath', () => {
  test('fills parameters', () => {
    expect(buildPath(ROUTES.getSession, { id: 'w1', sid: 's1' })).toBe('/v1/workspaces/w1/sessions/s1');
    expect(buildPath(ROUTES.waitJob, { jobId: 'j-1' })).toBe('/v1/jobs/j-1/wait');
  });

  test('encodes each id as one segment', () => {
    expect(buildPath(ROUTES.getWorkspace, { id: 'a/b' })).toBe('/v1/workspaces/a%2Fb');
    expect(buildPath(ROUTES.getWorkspace, { id: '../x?y#z' })).toBe('/v1/workspaces/..%2Fx%3Fy%23z');
    expect(buildPath(ROUTES.getWorkspace, { id: 'é ' })).toBe('/v1/workspaces/%C3%A9%20');
  });

  test('a route without parameters is returned as is', () => {
    expect(buildPath(ROUTES.health)).toBe('/v1/health');
  });

  test('a missing parameter throws, naming it', () => {
    expect(() => buildPath(ROUTES.getSession, { id: 'w1' })).toThrow(/sid/);
    expect(() => buildPath(ROUTES.getWorkspace)).toThrow(/needs parameter id/);
  });
});

describe('ROUTES', () => {
  const entries = Object.entries(ROUTES) as [string, RouteSpec][];

  test.each(entries)('%s is under /v1/', (_name, spec) => {
    expect(spec.path.startsWith('/v1/')).toBe(true);
  });

  test('method + path pairs are unique', () => {
    const keys = entries.map(([, spec]) => `${spec.method} ${spec.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('static workspace routes are declared before the `:id` routes they would shadow', () => {
    const paths = entries.map(([, spec]) => spec.path);
    const firstParam = paths.findIndex((path) => path.startsWith('/v1/workspaces/:id'));
    expect(paths.indexOf('/v1/workspaces/clone')).toBeLessThan(firstParam);
    expect(paths.indexOf('/v1/workspaces/load')).toBeLessThan(firstParam);
  });
});
