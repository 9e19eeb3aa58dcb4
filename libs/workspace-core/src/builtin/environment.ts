// `env` and `printenv` that list only exported variables, as in bash (just-bash's own versions
// print every shell variable: `X=1; printenv X` printed 1), and `bash`/`sh` children that cannot
// change their parent's readonly and exported names. `env … COMMAND` still runs through just-bash's
// env, with the names it sets exported for the command.
import { defineCommand } from '../engine.js';
import type { Bash, Command } from '../engine.js';

type Context = Parameters<Command['execute']>[1];

/** The part of just-bash 3.4.2's interpreter state read here (not public API: checked at use). */
interface InterpreterSets {
  readonlyVars?: Set<string>;
  exportedVars?: Set<string>;
}

export function interpreterSets(shell: Bash): InterpreterSets | undefined {
  const state = (shell as unknown as { state?: unknown }).state;
  return typeof state === 'object' && state !== null ? (state as InterpreterSets) : undefined;
}

function restoreSet(set: Set<string> | undefined, saved: ReadonlySet<string>): void {
  if (set === undefined) return;
  set.clear();
  for (const name of saved) set.add(name);
}

/**
 * `bash`/`sh` that give back the caller's readonly and exported names when the child ends:
 * just-bash's child shares those sets with its parent, so `bash -c 'readonly X=1'; X=2` failed.
 */
export function childShell(name: 'bash' | 'sh', shell: () => Bash | undefined): Command {
  return defineCommand(name, async (args, ctx) => {
    if (ctx.origCommand === undefined) return { stdout: '', stderr: `${name}: not available\n`, exitCode: 127 };
    const sets = (() => {
      const current = shell();
      return current === undefined ? undefined : interpreterSets(current);
    })();
    const saved = { readonly: new Set(sets?.readonlyVars ?? []), exported: new Set(sets?.exportedVars ?? []) };
    try {
      return await ctx.origCommand(args);
    } finally {
      restoreSet(sets?.readonlyVars, saved.readonly);
      restoreSet(sets?.exportedVars, saved.exported);
    }
  });
}

/** Runs `work` with the interpreter's exported names set to `names`, then restores them. */
async function withExported<T>(shell: Bash | undefined, names: Iterable<string>, work: () => Promise<T>): Promise<T> {
  const exported = shell === undefined ? undefined : interpreterSets(shell)?.exportedVars;
  const saved = new Set(exported ?? []);
  restoreSet(exported, new Set(names));
  try {
    return await work();
  } finally {
    restoreSet(exported, saved);
  }
}

function exported(ctx: Context): Record<string, string> {
  return { ...(ctx.exportedEnv ?? {}) };
}

function listing(vars: Record<string, string>, separator: string): string {
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${value}${separator}`)
    .join('');
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export const printenvCommand: Command = defineCommand('printenv', async (args, ctx) => {
  const vars = exported(ctx);
  const nul = args[0] === '-0' || args[0] === '--null';
  const names = nul ? args.slice(1) : args;
  const separator = nul ? '\0' : '\n';
  if (names.length === 0) return { stdout: listing(vars, separator), stderr: '', exitCode: 0 };
  let stdout = '';
  let exitCode = 0;
  for (const name of names) {
    if (Object.hasOwn(vars, name)) stdout += `${vars[name]}${separator}`;
    else exitCode = 1;
  }
  return { stdout, stderr: '', exitCode };
});

export const envCommand = (shell: () => Bash | undefined): Command =>
  defineCommand('env', async (args, ctx) => {
    let vars = exported(ctx);
    let separator = '\n';
    let index = 0;
    for (; index < args.length; index += 1) {
      const arg = args[index];
      if (arg === '-i' || arg === '-' || arg === '--ignore-environment') vars = {};
      else if (arg === '-0' || arg === '--null') separator = '\0';
      else if (arg === '-u' || arg === '--unset') {
        index += 1;
        delete vars[args[index] ?? ''];
      } else if (arg.startsWith('--unset=')) delete vars[arg.slice('--unset='.length)];
      else if (arg === '--') {
        index += 1;
        break;
      } else break;
    }
    for (; index < args.length && ASSIGNMENT.test(args[index]); index += 1) {
      const eq = args[index].indexOf('=');
      vars[args[index].slice(0, eq)] = args[index].slice(eq + 1);
    }
    // A command to run: just-bash's env runs it, with what this env would list exported for it.
    const run = ctx.origCommand;
    if (index < args.length && run !== undefined) return withExported(shell(), Object.keys(vars), () => run(args));
    return { stdout: listing(vars, separator), stderr: '', exitCode: 0 };
  });
