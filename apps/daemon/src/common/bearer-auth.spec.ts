import { bearerToken, tokensMatch } from './bearer-auth.js';

describe('bearer auth', () => {
  it('reads the token after an exact `Bearer ` prefix, trimmed', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('Bearer   abc  ')).toBe('abc');
  });

  it.each([undefined, '', 'bearer abc', 'Bearerabc', 'Token abc', 'Bearer ', 'Bearer    '])('treats %j as missing', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  it('matches only the exact token', () => {
    expect(tokensMatch('secret-token', 'secret-token')).toBe(true);
    expect(tokensMatch('secret-tokeN', 'secret-token')).toBe(false);
    expect(tokensMatch('secret', 'secret-token')).toBe(false);
    expect(tokensMatch('secret-token-longer', 'secret-token')).toBe(false);
  });

  it('follows a changed expected token (its digest is kept between calls)', () => {
    expect(tokensMatch('first', 'first')).toBe(true);
    expect(tokensMatch('first', 'second')).toBe(false);
    expect(tokensMatch('second', 'second')).toBe(true);
    expect(tokensMatch('second', 'first')).toBe(false);
  });
});
