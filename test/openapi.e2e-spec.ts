// GET /v1/openapi.json against the route table (libs/protocol/src/routes.ts): every route with its
// method and success status is in the generated document, and the document has no other operation.
import { ROUTES } from '@mirage-ts/protocol';
import { startTestDaemon, type TestDaemon } from './support/daemon.js';

const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

describe('GET /v1/openapi.json', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startTestDaemon();
  });
  afterAll(async () => {
    await daemon.close();
  });

  it('lists exactly the routes of the route table, each with its success status', async () => {
    const answer = await daemon.call('GET', ROUTES.openapi.path);
    expect(answer.status).toBe(200);
    expect(answer.json.openapi).toMatch(/^3\./);
    const operations = Object.entries(answer.json.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(
      ([path, item]) =>
        Object.entries(item).map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          success: Object.keys(operation.responses)
            .filter((code) => /^[0-9]+$/.test(code) && Number(code) < 400)
            .sort(),
        })),
    );
    const expected = Object.values(ROUTES).map((spec) => ({
      route: `${spec.method} ${openApiPath(spec.path)}`,
      success: [spec.status, ...(spec.otherStatuses ?? [])].map(String).sort(),
    }));
    const byRoute = (a: { route: string }, b: { route: string }) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0);
    expect(operations.sort(byRoute)).toEqual(expected.sort(byRoute));
  });

  it('describes request bodies from the DTOs and declares the path parameters', async () => {
    const { json } = await daemon.call('GET', ROUTES.openapi.path);
    const create = json.paths['/v1/workspaces'].post;
    expect(create.requestBody).toBeDefined();
    const schemaName = String(create.requestBody.content['application/json'].schema.$ref).split('/').pop() as string;
    expect(Object.keys(json.components.schemas[schemaName].properties)).toEqual(expect.arrayContaining(['config', 'id']));
    const execute = json.paths['/v1/workspaces/{id}/execute'].post.requestBody.content;
    expect(Object.keys(execute).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(json.components.schemas.ExecuteDto.required).toEqual(['command']);
    expect(json.paths['/v1/workspaces'].get.parameters).toEqual([
      expect.objectContaining({ name: 'label', in: 'query', schema: { type: 'array', items: { type: 'string' } } }),
    ]);
    const kill = json.paths['/v1/workspaces/{id}/sessions/{sid}/kill'].post;
    expect(kill.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(['path:id', 'path:sid']);
  });

  it('is guarded like every route: no token, 401', async () => {
    const answer = await daemon.call('GET', ROUTES.openapi.path, { token: null });
    expect(answer.status).toBe(401);
  });
});
