// The limits block: validation, the daemon policy, and the merge (docs/limits.md).
import { DEFAULT_LIMITS, parseLimits, parseLimitsPolicy, resolveLimits } from './limits.js';
import { WorkspaceRegistry } from './registry.js';
import { WorkspaceError } from './errors.js';

describe('parseLimits', () => {
  it('takes every key as a number > 0', () => {
    const raw = { max_bytes: 10, timeout_s: 0.5, max_output_bytes: 20, max_processes: 3, max_memory_bytes: 40, cpu_seconds: 1.5 };
    expect(parseLimits(raw)).toEqual({ limits: raw, problems: [] });
    expect(parseLimits(undefined)).toEqual({ limits: {}, problems: [] });
  });

  it('lists unknown keys sorted and refuses bad values, naming each key', () => {
    const { limits, problems } = parseLimits({
      zeta: 1,
      alpha: 2,
      max_bytes: 0,
      timeout_s: '5',
      max_processes: 2.5,
      cpu_seconds: Number.POSITIVE_INFINITY,
    });
    expect(limits).toEqual({});
    expect(problems).toEqual([
      'limits: unknown keys: alpha, zeta',
      'limits.max_bytes must be a whole number > 0, got 0',
      'limits.timeout_s must be a number > 0, got "5"',
      'limits.max_processes must be a whole number > 0, got 2.5',
      'limits.cpu_seconds must be a number > 0, got Infinity',
    ]);
    expect(parseLimits([1]).problems[0]).toMatch(/^limits must be a mapping of max_bytes, /);
  });
});

describe('parseLimitsPolicy and resolveLimits', () => {
  it('refuses a default above its ceiling and unknown tables', () => {
    expect(() => parseLimitsPolicy({ defaults: { timeout_s: 10 }, ceilings: { timeout_s: 5 }, extra: {} })).toThrow(
      'limits: unknown keys: extra (expected defaults, ceilings); limits.defaults.timeout_s (10) is above limits.ceilings.timeout_s (5)',
    );
    expect(parseLimitsPolicy(undefined)).toEqual({});
  });

  it('asked, else the daemon default, else DEFAULT_LIMITS lowered to the ceiling', () => {
    const policy = { defaults: { timeout_s: 60 }, ceilings: { max_bytes: 1000, cpu_seconds: 5000 } };
    expect(resolveLimits({ cpu_seconds: 7 }, policy)).toEqual({
      limits: { ...DEFAULT_LIMITS, timeout_s: 60, max_bytes: 1000, cpu_seconds: 7 },
      problems: [],
    });
    expect(resolveLimits({ max_bytes: 1001, cpu_seconds: 5000 }, policy).problems).toEqual([
      "limits.max_bytes: 1001 is above the daemon's ceiling (1000)",
    ]);
  });

  it('the registry answers invalid (400) for bad limits and keeps nothing', async () => {
    const registry = new WorkspaceRegistry({ env: {}, limits: { ceilings: { max_bytes: 100 } } });
    try {
      const refused = registry.create({ config: { mounts: { '/': { resource: 'ram' } }, limits: { max_bytes: 101 } } });
      await expect(refused).rejects.toThrow(new WorkspaceError('invalid', "limits.max_bytes: 101 is above the daemon's ceiling (100)"));
      await expect(registry.create({ config: { mounts: { '/': { resource: 'ram' } }, limits: { nope: 1 } } })).rejects.toMatchObject({
        code: 'invalid',
        message: 'limits: unknown keys: nope',
      });
      expect(registry.size).toBe(0);
      const workspace = await registry.create({ config: { mounts: { '/': { resource: 'ram' } }, limits: { timeout_s: 9 } } });
      expect(workspace.limits).toEqual({ ...DEFAULT_LIMITS, max_bytes: 100, timeout_s: 9 });
      expect(workspace.config.limits).toEqual({ timeout_s: 9 });
    } finally {
      await registry.closeAll();
    }
  });
});
