import { CreateSessionDto, CreateWorkspaceDto, ExecuteDto, JobWaitDto } from '@mirage-ts/protocol';
import { DaemonHttpError } from './coded-error.js';
import { normalizeRequestFields, validateRequestFields } from './request-fields.js';

function refusal(run: () => unknown): DaemonHttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof DaemonHttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('request fields', () => {
  it('renames camelCase top-level fields only', () => {
    expect(normalizeRequestFields({ sessionId: 's', stdinBase64: 'YQ==', config: { mounts: { '/': { someKey: 1 } } } })).toEqual({
      session_id: 's',
      stdin_base64: 'YQ==',
      config: { mounts: { '/': { someKey: 1 } } },
    });
  });

  it('refuses a field given in both spellings', () => {
    const error = refusal(() => normalizeRequestFields({ session_id: 'a', sessionId: 'b' }));
    expect(error.status).toBe(400);
    expect(error.detail).toContain('session_id');
  });

  it('names every unknown field', () => {
    const error = refusal(() => validateRequestFields(ExecuteDto, { command: 'ls', bogus: 1, other: 2 }));
    expect(error.status).toBe(400);
    expect(error.detail).toBe('unknown fields: bogus, other');
  });

  it('reports every problem at once', () => {
    const error = refusal(() => validateRequestFields(ExecuteDto, { command: 5, record: 'yes' }));
    expect(error.detail).toContain('command must be a string');
    expect(error.detail).toContain('record must be a boolean value');
  });

  it('refuses a config that is not a mapping, and a non-object body', () => {
    expect(refusal(() => validateRequestFields(CreateWorkspaceDto, { config: '/etc/passwd' })).detail).toBe('config must be a mapping');
    expect(refusal(() => validateRequestFields(CreateWorkspaceDto, [1, 2])).detail).toBe('request body must be a JSON object');
  });

  it('accepts valid bodies, including optional-only ones empty', () => {
    expect(validateRequestFields(JobWaitDto, {})).toBeInstanceOf(JobWaitDto);
    expect(validateRequestFields(JobWaitDto, { timeout_s: 1.5 }).timeout_s).toBe(1.5);
    expect(validateRequestFields(CreateSessionDto, { session_id: 'a', mounts: { '/': 'read' } }).mounts).toEqual({ '/': 'read' });
  });
});
