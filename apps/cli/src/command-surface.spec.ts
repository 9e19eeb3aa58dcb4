// The CLI's public surface: every command with its flags (and their short forms and aliases) and
// arguments, in the command classes and in the built oclif manifest that the CLI really loads.
// Agents script against these names, so a rename or removal must fail here first.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface FlagShape {
  char?: string;
  aliases?: string[];
  required?: boolean;
  multiple?: boolean;
}
interface CommandClass {
  description?: string;
  examples?: string[];
  enableJsonFlag?: boolean;
  baseFlags?: Record<string, FlagShape>;
  flags?: Record<string, FlagShape>;
  args?: Record<string, { required?: boolean }>;
}
interface Manifest {
  commands: Record<string, { enableJsonFlag?: boolean; flags: Record<string, FlagShape>; args: Record<string, { required?: boolean }> }>;
}

const SURFACE: Record<string, { flags: string[]; args: string[] }> = {
  'config get': { flags: [], args: ['key!'] },
  'config list': { flags: ['resolved'], args: [] },
  'config set': { flags: [], args: ['key!', 'value!'] },
  'config unset': { flags: [], args: ['key!'] },
  cp: { flags: ['session-s|session_id'], args: ['source!', 'destination!'] },
  'daemon kill': { flags: [], args: [] },
  'daemon restart': { flags: ['eager', 'timeout'], args: [] },
  'daemon start': { flags: [], args: [] },
  'daemon status': { flags: [], args: [] },
  'daemon stop': { flags: ['timeout'], args: [] },
  edit: { flags: ['replace-all', 'session-s|session_id', 'workspace!-w|workspace_id'], args: ['path!', 'old!', 'new!'] },
  execute: { flags: ['bg|background', 'command!-c', 'cwd', 'env*', 'session-s|session_id', 'workspace!-w|workspace_id'], args: [] },
  glob: { flags: ['session-s|session_id', 'workspace!-w|workspace_id'], args: ['pattern!', 'path'] },
  grep: {
    flags: [
      'context-C',
      'count-c',
      'files-with-matches-l',
      'fixed-strings-F',
      'ignore-case-i',
      'include',
      'max-count-m',
      'session-s|session_id',
      'workspace!-w|workspace_id',
    ],
    args: ['pattern!', 'path'],
  },
  'job cancel': { flags: [], args: ['id!'] },
  'job get': { flags: [], args: ['id!'] },
  'job list': { flags: ['workspace-w|workspace_id'], args: [] },
  'job logs': { flags: ['follow-f', 'since'], args: ['id!'] },
  'job wait': { flags: ['timeout'], args: ['id!'] },
  ls: { flags: ['long-l', 'session-s|session_id', 'workspace!-w|workspace_id'], args: ['path'] },
  mcp: { flags: ['config', 'keep', 'workspace-w|workspace_id'], args: [] },
  provision: { flags: ['command!-c', 'session-s|session_id', 'workspace!-w|workspace_id'], args: [] },
  read: { flags: ['limit', 'offset', 'session-s|session_id', 'workspace!-w|workspace_id'], args: ['path!'] },
  'session create': { flags: ['id'], args: ['workspace!'] },
  'session cancel': { flags: [], args: ['workspace!', 'session!'] },
  'session delete': { flags: [], args: ['workspace!', 'session!'] },
  'session get': { flags: [], args: ['workspace!', 'session!'] },
  'session kill': { flags: [], args: ['workspace!', 'session!'] },
  'session list': { flags: [], args: ['workspace!'] },
  write: { flags: ['content', 'session-s|session_id', 'workspace!-w|workspace_id'], args: ['path!'] },
  'workspace branch': { flags: ['from'], args: ['id!', 'name!'] },
  'workspace cancel': { flags: [], args: ['id!'] },
  'workspace checkout': { flags: [], args: ['id!', 'ref!'] },
  'workspace clone': { flags: ['at', 'id'], args: ['source!'] },
  'workspace close': { flags: [], args: ['id!'] },
  'workspace commit': { flags: ['branch-b', 'message-m'], args: ['id!'] },
  'workspace create': { flags: ['id'], args: ['config!'] },
  'workspace delete': { flags: [], args: ['id!'] },
  'workspace diff': { flags: ['branch-b'], args: ['id!', 'a', 'b'] },
  'workspace get': { flags: ['verbose'], args: ['id!'] },
  'workspace kill': { flags: [], args: ['id!'] },
  'workspace list': { flags: ['label*-l'], args: [] },
  'workspace load': { flags: ['drift', 'id'], args: ['tar!', 'config'] },
  'workspace log': { flags: ['branch-b'], args: ['id!'] },
  'workspace snapshot': { flags: ['format'], args: ['id!', 'output!'] },
  'workspace status': { flags: ['branch-b'], args: ['id!'] },
};

/** `name[!][*][-c][|alias…]`: required, multiple, short char, aliases. */
function describeFlag(name: string, flag: FlagShape): string {
  return `${name}${flag.required ? '!' : ''}${flag.multiple ? '*' : ''}${flag.char ? `-${flag.char}` : ''}${(flag.aliases ?? []).map((a) => `|${a}`).join('')}`;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const manifestPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'oclif.manifest.json');

/** Every command takes --json (oclif's enableJsonFlag), a boolean without short form or alias. */
const GLOBAL_FLAGS = ['json'];

const describeFlags = (flags: Record<string, FlagShape>): string[] =>
  Object.entries(flags)
    .map(([name, flag]) => describeFlag(name, flag))
    .sort();

function commandFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return commandFiles(path);
    return /\.(ts|js)$/.test(entry.name) && !/\.(spec|d)\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('command surface', () => {
  const files = commandFiles(commandsDir);
  const ids = files
    .map((f) =>
      relative(commandsDir, f)
        .replace(/\.(ts|js)$/, '')
        .split('/')
        .join(' '),
    )
    .sort();

  it('has exactly the documented commands (docs/cli.md §1) and the file tools', () => {
    expect(ids).toEqual(Object.keys(SURFACE).sort());
  });

  it.each(Object.entries(SURFACE))('%s keeps its flags and arguments, a description and examples', async (id, expected) => {
    const module = (await import(`./commands/${id.split(' ').join('/')}.js`)) as { default: CommandClass };
    const command = module.default;
    const flags = describeFlags(command.flags ?? {});
    const args = Object.entries(command.args ?? {}).map(([name, arg]) => `${name}${arg.required ? '!' : ''}`);
    expect({ flags, args }).toEqual(expected);
    expect(command.enableJsonFlag).toBe(true);
    expect(describeFlags(command.baseFlags ?? {})).toEqual(GLOBAL_FLAGS);
    expect(command.description?.length ?? 0).toBeGreaterThan(10);
    expect(command.examples?.length ?? 0).toBeGreaterThan(0);
  });

  it('the built manifest (what `mirage` loads) has the same commands, flags and arguments', () => {
    if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run npm run build`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    const surface = Object.fromEntries(
      Object.entries(manifest.commands).map(([id, command]) => [
        id.split(':').join(' '),
        {
          flags: describeFlags(command.flags).filter((flag) => !GLOBAL_FLAGS.includes(flag)),
          args: Object.entries(command.args).map(([name, arg]) => `${name}${arg.required ? '!' : ''}`),
          json: command.enableJsonFlag === true && GLOBAL_FLAGS.every((flag) => describeFlags(command.flags).includes(flag)),
        },
      ]),
    );
    expect(surface).toEqual(Object.fromEntries(Object.entries(SURFACE).map(([id, expected]) => [id, { ...expected, json: true }])));
  });
});
