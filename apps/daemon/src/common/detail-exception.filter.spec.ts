import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DaemonHttpError, isCodedError, STATUS_BY_CODE } from './coded-error.js';
import { toErrorAnswer } from './detail-exception.filter.js';

class SomeLibraryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

describe('error mapping', () => {
  it.each(Object.entries(STATUS_BY_CODE))('maps code %s to %i with its message', (code, status) => {
    expect(toErrorAnswer(new SomeLibraryError(code, `boom ${code}`))).toEqual({ status, detail: `boom ${code}` });
  });

  it('does not treat system error codes as library codes', () => {
    const error = Object.assign(new Error('/secret/path: ENOENT'), { code: 'ENOENT' });
    expect(isCodedError(error)).toBe(false);
    expect(toErrorAnswer(error)).toEqual({ status: 500, detail: 'Internal Server Error' });
  });

  it('never leaks the text of an unexpected error', () => {
    expect(toErrorAnswer(new TypeError('cannot read x of /home/me/private'))).toEqual({ status: 500, detail: 'Internal Server Error' });
    expect(toErrorAnswer('a string')).toEqual({ status: 500, detail: 'Internal Server Error' });
  });

  it('keeps HTTP exceptions and daemon errors', () => {
    expect(toErrorAnswer(new DaemonHttpError(499, 'job canceled'))).toEqual({ status: 499, detail: 'job canceled' });
    expect(toErrorAnswer(new BadRequestException(['a must be x', 'b must be y']))).toEqual({
      status: 400,
      detail: 'a must be x; b must be y',
    });
    expect(toErrorAnswer(new HttpException('Request body is too large', 413))).toEqual({
      status: 413,
      detail: 'Request body is too large',
    });
  });

  it("turns Nest's unknown-route message into Not Found", () => {
    expect(toErrorAnswer(new NotFoundException('Cannot GET /v1/nope'))).toEqual({ status: 404, detail: 'Not Found' });
  });
});
