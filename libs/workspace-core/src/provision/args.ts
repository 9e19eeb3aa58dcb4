// Argument splitting shared by the command models: options (with or without values) and operands.

export interface Parsed {
  /** Options seen, by spelling (`-n`, `--lines`), with their value or true. */
  options: Map<string, string | true>;
  operands: string[];
}

/**
 * Splits arguments into options and operands. `valueOptions` take a value (`-n 5`, `-n5`,
 * `--lines=5`, `--lines 5`); `pairOptions` take two (jq's `--arg name value`).
 */
export function parseArgs(args: readonly string[], valueOptions: readonly string[] = [], pairOptions: readonly string[] = []): Parsed {
  const options = new Map<string, string | true>();
  const operands: string[] = [];
  const takesValue = new Set(valueOptions);
  const takesPair = new Set(pairOptions);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) options.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (takesPair.has(arg)) {
        options.set(arg, `${args[i + 1] ?? ''}=${args[i + 2] ?? ''}`);
        i += 2;
      } else if (takesValue.has(arg)) options.set(arg, args[++i] ?? '');
      else options.set(arg, true);
      continue;
    }
    if (/^-\d+$/.test(arg)) {
      options.set('-n', arg.slice(1)); // head -5
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`;
      if (takesValue.has(flag)) {
        const rest = arg.slice(j + 1);
        options.set(flag, rest !== '' ? rest : (args[++i] ?? ''));
        break;
      }
      options.set(flag, true);
    }
  }
  return { options, operands };
}

export function option(parsed: Parsed, ...names: string[]): string | true | undefined {
  for (const name of names) {
    const value = parsed.options.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function has(parsed: Parsed, ...names: string[]): boolean {
  return option(parsed, ...names) !== undefined;
}

/** A count like `10`, `+10`, `-10`, `1K` (head/tail); undefined when not a plain number. */
export function count(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^[+-]?(\d+)([kKmMgG]?)(i?[bB])?$/.exec(value);
  if (match === null) return undefined;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Number(match[1]) * scale;
}
