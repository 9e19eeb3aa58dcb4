// Static expansion of shell words for provision: literals, quotes, known variables, `~`, braces
// and globs. Anything that would need running code ($(...), $((...)), unknown variables) is
// reported as unresolved instead of guessed.
import type { WordNode } from '../engine.js';

type WordPart = WordNode['parts'][number];

export interface WordScope {
  cwd: string;
  env: Record<string, string>;
  glob(pattern: string): Promise<string[]>;
}

export interface Expansion {
  values: string[];
  /** False when part of the word could not be known without running something. */
  resolved: boolean;
}

/** One way a word can read: its text, and the same text as a glob pattern (quoted parts escaped). */
interface Alternative {
  text: string;
  pattern: string;
  glob: boolean;
}

const UNRESOLVED = null;
const MAX_ALTERNATIVES = 10_000;

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function literal(value: string, quoted: boolean): Alternative[] {
  return [{ text: value, pattern: quoted ? escapeGlob(value) : value, glob: false }];
}

function product(left: Alternative[], right: Alternative[]): Alternative[] | null {
  if (left.length * right.length > MAX_ALTERNATIVES) return UNRESOLVED;
  const out: Alternative[] = [];
  for (const a of left) {
    for (const b of right) out.push({ text: a.text + b.text, pattern: a.pattern + b.pattern, glob: a.glob || b.glob });
  }
  return out;
}

function variable(name: string, scope: WordScope): string | undefined {
  if (name === 'PWD' && scope.env.PWD === undefined) return scope.cwd;
  return scope.env[name];
}

function partsAlternatives(parts: readonly WordPart[], scope: WordScope, quoted: boolean): Alternative[] | null {
  let result: Alternative[] = [{ text: '', pattern: '', glob: false }];
  for (const part of parts) {
    const next = partAlternatives(part, scope, quoted);
    if (next === UNRESOLVED) return UNRESOLVED;
    const joined = product(result, next);
    if (joined === UNRESOLVED) return UNRESOLVED;
    result = joined;
  }
  return result;
}

function partAlternatives(part: WordPart, scope: WordScope, quoted: boolean): Alternative[] | null {
  switch (part.type) {
    case 'Literal':
      return literal(part.value, quoted);
    case 'SingleQuoted':
    case 'Escaped':
      return literal(part.value, true);
    case 'DoubleQuoted':
      return partsAlternatives(part.parts, scope, true);
    case 'Glob':
      return quoted ? literal(part.pattern, true) : [{ text: part.pattern, pattern: part.pattern, glob: true }];
    case 'TildeExpansion': {
      const home = part.user === null ? scope.env.HOME : undefined;
      return home === undefined ? UNRESOLVED : literal(home, true);
    }
    case 'ParameterExpansion': {
      const value = variable(part.parameter, scope);
      const op = part.operation;
      if (op === null) return value === undefined ? UNRESOLVED : literal(value, true);
      if (op.type === 'DefaultValue' || op.type === 'AssignDefault') {
        const set = value !== undefined && !(op.checkEmpty && value === '');
        return set ? literal(value, true) : partsAlternatives(op.word.parts, scope, quoted);
      }
      if (op.type === 'Length') return value === undefined ? UNRESOLVED : literal(String(value.length), true);
      return UNRESOLVED;
    }
    case 'BraceExpansion': {
      const out: Alternative[] = [];
      for (const item of part.items) {
        if (item.type === 'Word') {
          const alternatives = partsAlternatives(item.word.parts, scope, quoted);
          if (alternatives === UNRESOLVED) return UNRESOLVED;
          out.push(...alternatives);
        } else {
          const range = braceRange(item.start, item.end, item.step);
          if (range === UNRESOLVED) return UNRESOLVED;
          out.push(...range.flatMap((value) => literal(value, quoted)));
        }
        if (out.length > MAX_ALTERNATIVES) return UNRESOLVED;
      }
      return out;
    }
    case 'CommandSubstitution':
    case 'ProcessSubstitution':
    case 'ArithmeticExpansion':
      // Only running the command (or evaluating the arithmetic) would tell.
      return UNRESOLVED;
  }
}

function braceRange(start: string | number, end: string | number, step?: number): string[] | null {
  const by = Math.abs(step ?? 1) || 1;
  const from = Number(start);
  const to = Number(end);
  if (Number.isInteger(from) && Number.isInteger(to)) {
    if (Math.abs(to - from) / by > MAX_ALTERNATIVES) return UNRESOLVED;
    const out: string[] = [];
    for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? by : -by) out.push(String(n));
    return out;
  }
  if (typeof start === 'string' && typeof end === 'string' && start.length === 1 && end.length === 1) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    const out: string[] = [];
    for (let c = a; a <= b ? c <= b : c >= b; c += a <= b ? by : -by) out.push(String.fromCharCode(c));
    return out;
  }
  return UNRESOLVED;
}

/** Expands one word to the arguments it becomes (globs matched against the workspace). */
export async function expandWord(word: WordNode, scope: WordScope): Promise<Expansion> {
  const alternatives = partsAlternatives(word.parts, scope, false);
  if (alternatives === UNRESOLVED) return { values: [], resolved: false };
  const values: string[] = [];
  for (const alternative of alternatives) {
    if (!alternative.glob) {
      values.push(alternative.text);
      continue;
    }
    const matches = await scope.glob(alternative.pattern);
    // Like bash without nullglob: a pattern that matches nothing stays as it is.
    values.push(...(matches.length > 0 ? [...matches].sort() : [alternative.text]));
  }
  return { values, resolved: true };
}

/** Expands a word that must be one string (a redirect target, an assignment value). */
export async function expandSingle(word: WordNode, scope: WordScope): Promise<string | undefined> {
  const expansion = await expandWord(word, scope);
  return expansion.resolved && expansion.values.length === 1 ? expansion.values[0] : undefined;
}
