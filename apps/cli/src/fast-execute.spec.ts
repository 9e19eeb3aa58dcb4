import { parseExecuteArgv } from './fast-execute.js';

describe('parseExecuteArgv (the oclif-free execute path)', () => {
  it('reads short, long, legacy and = forms', () => {
    expect(parseExecuteArgv(['-w', 'demo', '-c', 'ls'])).toEqual({ workspace: 'demo', command: 'ls', bg: false });
    expect(parseExecuteArgv(['--workspace_id=demo', '--command', 'ls', '--session_id', 's1', '--background'])).toEqual({
      workspace: 'demo',
      command: 'ls',
      session: 's1',
      bg: true,
    });
    expect(parseExecuteArgv(['-w', 'demo', '-c', 'env', '--cwd', '/d', '--env', 'A=1', '--env', 'B=2', '--json'])).toEqual({
      workspace: 'demo',
      command: 'env',
      cwd: '/d',
      env: ['A=1', 'B=2'],
      bg: false,
    });
  });

  it('leaves anything unclear to oclif', () => {
    expect(parseExecuteArgv(['-w', 'demo'])).toBeUndefined(); // missing -c
    expect(parseExecuteArgv(['-c', 'ls'])).toBeUndefined(); // missing -w
    expect(parseExecuteArgv(['-w', 'demo', '-c', 'ls', '--help'])).toBeUndefined();
    expect(parseExecuteArgv(['-w', 'demo', '-c', 'ls', '--nope'])).toBeUndefined();
    expect(parseExecuteArgv(['-w', 'demo', '-c', 'ls', 'extra'])).toBeUndefined();
    expect(parseExecuteArgv(['-w', 'a', '--workspace_id', 'b', '-c', 'ls'])).toBeUndefined();
  });
});
