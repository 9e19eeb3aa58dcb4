import { ExecuteDto, GetWorkspaceQueryDto } from '@mirage-ts/protocol';
import { DaemonHttpError } from './coded-error.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

const query = (metatype: unknown) => ({ type: 'query' as const, metatype: metatype as never, data: undefined });
const body = (metatype: unknown) => ({ type: 'body' as const, metatype: metatype as never, data: undefined });

describe('RequestValidationPipe', () => {
  it('answers an empty query with a fresh DTO every time, and still refuses unknown fields after', () => {
    const pipe = new RequestValidationPipe();
    const first = pipe.transform({}, query(GetWorkspaceQueryDto));
    const second = pipe.transform({}, query(GetWorkspaceQueryDto));
    expect(first).toBeInstanceOf(GetWorkspaceQueryDto);
    expect(second).toBeInstanceOf(GetWorkspaceQueryDto);
    expect(second).not.toBe(first);
    expect(() => pipe.transform({ colour: 'red' }, query(GetWorkspaceQueryDto))).toThrow(new DaemonHttpError(400, 'unknown field: colour'));
  });

  it('never lets an empty body through for a DTO with a required field', () => {
    const pipe = new RequestValidationPipe();
    for (let attempt = 0; attempt < 2; attempt += 1) expect(() => pipe.transform(undefined, body(ExecuteDto))).toThrow(DaemonHttpError);
  });

  it('normalises camelCase names before validating, and refuses a field given both ways', () => {
    const pipe = new RequestValidationPipe();
    expect(pipe.transform({ command: 'ls', sessionId: 's1' }, body(ExecuteDto))).toMatchObject({ command: 'ls', session_id: 's1' });
    expect(() => pipe.transform({ command: 'ls', sessionId: 's1', session_id: 's1' }, body(ExecuteDto))).toThrow(DaemonHttpError);
  });
});
