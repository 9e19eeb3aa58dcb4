import { CasingConflictError, normalizeFieldNames, toSnakeCase } from './casing.js';

describe('toSnakeCase', () => {
  test.each([
    ['sessionId', 'session_id'],
    ['stdinBase64', 'stdin_base64'],
    ['fromBranch', 'from_branch'],
    ['session_id', 'session_id'],
    ['command', 'command'],
    ['', ''],
  ])('%p → %p', (input, expected) => {
    expect(toSnakeCase(input)).toBe(expected);
  });
});

describe('normalizeFieldNames', () => {
  test('renames camelCase top-level keys to snake_case', () => {
    expect(normalizeFieldNames({ sessionId: 's', agentId: 'a', command: 'ls' })).toEqual({ session_id: 's', agent_id: 'a', command: 'ls' });
  });

  test('leaves snake_case keys unchanged', () => {
    const input = { session_id: 's', stdin_base64: 'AA==' };
    expect(normalizeFieldNames(input)).toEqual(input);
  });

  test('does not touch nested values and returns a copy', () => {
    const config = { mounts: { '/s3': { resource: 's3', config: { accessKeyId: 'K', bucketName: 'b' } } }, defaultSessionId: 'x' };
    const input = { config, sourceId: 'w' };
    const out = normalizeFieldNames(input);
    expect(out).toEqual({ config, source_id: 'w' });
    expect(out.config).toBe(config);
    expect(input).toEqual({ config, sourceId: 'w' });
  });

  test('both spellings of one field → CasingConflictError naming the field', () => {
    for (const input of [
      { session_id: 'a', sessionId: 'b' },
      { sessionId: 'b', session_id: 'a' },
    ]) {
      let caught: unknown;
      try {
        normalizeFieldNames(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CasingConflictError);
      expect((caught as CasingConflictError).field).toBe('session_id');
      expect((caught as Error).message).toContain('session_id');
    }
  });

  test('a `__proto__` field stays an own field and cannot replace the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "command": "ls"}') as Record<string, unknown>;
    const out = normalizeFieldNames(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'command']);
  });
});
