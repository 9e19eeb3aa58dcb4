import { hostWithoutPort, isHostAllowed } from './host-check.js';

const DEFAULT = ['127.0.0.1', 'localhost', '::1'];

describe('host check (docs/protocol.md §2.1)', () => {
  it.each(['127.0.0.1', 'localhost', '127.0.0.1:8765', 'localhost:1', '[::1]', '[::1]:8765'])('accepts %s', (host) => {
    expect(isHostAllowed(host, DEFAULT)).toBe(true);
  });

  it.each([
    'attacker.example',
    '[::1]evil',
    '[::1]:8765x',
    '[::1].attacker.tld',
    '[::1',
    ':8765',
    '[]',
    '127.0.0.1:8765x',
    'LOCALHOST',
    '',
  ])('rejects %j (fail closed)', (host) => {
    expect(isHostAllowed(host, DEFAULT)).toBe(false);
  });

  it('rejects a missing header', () => {
    expect(isHostAllowed(undefined, DEFAULT)).toBe(false);
  });

  it('compares a bare IPv6 literal raw', () => {
    expect(hostWithoutPort('::1')).toBe('::1');
    expect(isHostAllowed('::1', DEFAULT)).toBe(true);
  });

  it('uses the given list instead of the default', () => {
    expect(isHostAllowed('mirage.internal:8080', ['mirage.internal'])).toBe(true);
    expect(isHostAllowed('localhost', ['mirage.internal'])).toBe(false);
  });
});
