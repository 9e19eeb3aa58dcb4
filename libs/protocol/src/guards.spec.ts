import {
  exitCodeFromResponse,
  isErrorBody,
  isIoResult,
  isJobAccepted,
  isJobDetail,
  isJobStatus,
  isProvisionResult,
  isRecord,
  isWorkspaceDetail,
} from './guards.js';

const io = (fields: Record<string, unknown> = {}) => ({ kind: 'io', stdout: '', stderr: '', refusal: null, ...fields });
const job = (status: string, result: unknown) => ({
  job_id: 'j1',
  workspace_id: 'w1',
  session_id: 'default',
  command: 'true',
  status,
  cancel_requested: false,
  submitted_at: 1,
  started_at: null,
  finished_at: null,
  result,
  error: null,
});

describe('type guards', () => {
  test('isRecord accepts plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    for (const value of [null, undefined, [], [1], 'x', 1, true, () => 1]) expect(isRecord(value)).toBe(false);
  });

  test('isErrorBody needs a string detail', () => {
    expect(isErrorBody({ detail: 'workspace not found' })).toBe(true);
    expect(isErrorBody({ detail: '' })).toBe(true);
    expect(isErrorBody({ detail: [{ msg: 'x' }] })).toBe(false);
    expect(isErrorBody({ message: 'x' })).toBe(false);
    expect(isErrorBody('detail')).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });

  test('isJobStatus knows the six statuses', () => {
    for (const status of ['pending', 'running', 'stopping', 'done', 'failed', 'canceled']) expect(isJobStatus(status)).toBe(true);
    for (const value of ['DONE', 'cancelled', 'finished', '', 1, null, undefined, ['done']]) expect(isJobStatus(value)).toBe(false);
  });

  test('isIoResult needs kind io and string stdout/stderr', () => {
    expect(isIoResult(io({ exit_code: 0 }))).toBe(true);
    expect(isIoResult(io({ exitCode: 3 }))).toBe(true);
    expect(isIoResult({ kind: 'io', stdout: 'x' })).toBe(false);
    expect(isIoResult({ kind: 'raw', stdout: '', stderr: '' })).toBe(false);
    expect(isIoResult({ kind: 'io', stdout: 1, stderr: '' })).toBe(false);
    expect(isIoResult([io()])).toBe(false);
  });

  test('isProvisionResult needs kind provision and a children list', () => {
    expect(isProvisionResult({ kind: 'provision', children: [], op: null })).toBe(true);
    expect(isProvisionResult({ kind: 'provision' })).toBe(false);
    expect(isProvisionResult({ kind: 'provision', children: {} })).toBe(false);
    expect(isProvisionResult(io())).toBe(false);
  });

  test('isJobDetail needs job_id, a known status and a result field', () => {
    expect(isJobDetail(job('done', io({ exit_code: 0 })))).toBe(true);
    expect(isJobDetail(job('pending', null))).toBe(true);
    const { result: _result, ...brief } = job('done', null);
    expect(isJobDetail(brief)).toBe(false);
    expect(isJobDetail(job('finished', null))).toBe(false);
    expect(isJobDetail({ ...job('done', null), job_id: 7 })).toBe(false);
    expect(isJobDetail(null)).toBe(false);
  });

  test('isJobAccepted takes the 202 envelope in either spelling, not a job detail', () => {
    expect(isJobAccepted({ job_id: 'j', workspace_id: 'w', submitted_at: 1 })).toBe(true);
    expect(isJobAccepted({ jobId: 'j', workspaceId: 'w', submittedAt: 1 })).toBe(true);
    expect(isJobAccepted(job('done', null))).toBe(false);
    expect(isJobAccepted({ job_id: 1 })).toBe(false);
    expect(isJobAccepted({})).toBe(false);
    expect(isJobAccepted('j')).toBe(false);
  });

  test('isWorkspaceDetail needs id, mounts and sessions lists', () => {
    expect(isWorkspaceDetail({ id: 'w', mode: 'write', mounts: [], sessions: [], internals: null })).toBe(true);
    expect(isWorkspaceDetail({ id: 'w', mounts: [] })).toBe(false);
    expect(isWorkspaceDetail({ id: 'w', mounts: {}, sessions: [] })).toBe(false);
    expect(isWorkspaceDetail({ mounts: [], sessions: [] })).toBe(false);
    expect(isWorkspaceDetail([])).toBe(false);
  });
});

describe('exitCodeFromResponse (docs/cli.md §3)', () => {
  test.each([0, 1, 42, 127])('io exit %p passes through', (code) => {
    expect(exitCodeFromResponse(io({ exit_code: code }))).toBe(code);
  });

  test.each([
    [300, 255],
    [256, 255],
    [-1, 0],
    [1.9, 1],
    [-0.5, 0],
  ])('io exit %p is truncated and clamped to %p', (code, expected) => {
    expect(exitCodeFromResponse(io({ exit_code: code }))).toBe(expected);
  });

  test('background envelope → 0', () => {
    expect(exitCodeFromResponse({ job_id: 'j', workspace_id: 'w', submitted_at: 1 })).toBe(0);
  });

  test('raw result → 0', () => {
    expect(exitCodeFromResponse({ kind: 'raw', value: 'x' })).toBe(0);
  });

  test('provision result → 0', () => {
    expect(exitCodeFromResponse({ kind: 'provision', children: [], exit_code: 5 })).toBe(0);
  });

  test('done job uses the inner io code', () => {
    expect(exitCodeFromResponse(job('done', io({ exit_code: 7 })))).toBe(7);
  });

  test.each(['pending', 'running', 'stopping', 'done'])('%s job with null result → 0', (status) => {
    expect(exitCodeFromResponse(job(status, null))).toBe(0);
  });

  test('failed job with null result → 2, canceled → 130 (docs/cli.md §3)', () => {
    expect(exitCodeFromResponse(job('failed', null))).toBe(2);
    expect(exitCodeFromResponse(job('canceled', null))).toBe(130);
  });

  test('failed job with inner code 9 → 9, with inner 0 → 0', () => {
    expect(exitCodeFromResponse(job('failed', io({ exit_code: 9 })))).toBe(9);
    expect(exitCodeFromResponse(job('canceled', io({ exit_code: 0 })))).toBe(0);
  });

  test('failed job with a non-io result → 2', () => {
    expect(exitCodeFromResponse(job('failed', { kind: 'raw', value: '' }))).toBe(2);
  });

  test.each([null, undefined, 'string', 42, [io({ exit_code: 3 })]])('non-object %p → 0', (value) => {
    expect(exitCodeFromResponse(value)).toBe(0);
  });

  test.each([
    ['no code', io()],
    ["'one'", io({ exit_code: 'one' })],
    ['NaN', io({ exit_code: Number.NaN })],
    ['Infinity', io({ exit_code: Number.POSITIVE_INFINITY })],
    ['null', io({ exit_code: null })],
    ['boolean', io({ exit_code: true })],
  ])('io with %s → 0', (_name, value) => {
    expect(exitCodeFromResponse(value)).toBe(0);
  });

  test('camelCase exitCode is accepted, snake_case preferred', () => {
    expect(exitCodeFromResponse(io({ exitCode: 4 }))).toBe(4);
    expect(exitCodeFromResponse(job('done', io({ exitCode: 5 })))).toBe(5);
    expect(exitCodeFromResponse(io({ exit_code: 6, exitCode: 1 }))).toBe(6);
  });

  test('inner io without a code in a failed job → 2', () => {
    expect(exitCodeFromResponse(job('failed', io()))).toBe(2);
  });
});
