// The workspace limits in just-bash's terms, and just-bash's limit messages in ours.
//
// just-bash has no clock for CPU: `limits.cpu_seconds` becomes a budget of commands (and of loop,
// awk, sed and jq iterations) per call, COMMANDS_PER_CPU_SECOND for each second. A just-bash
// command costs 10–25 µs on the reference machine, so the budget is generous: the default
// (600 s → 60 million) lets `seq 1 1000000` and 100k-iteration loops run, and a runaway loop
// meets `limits.timeout_s` (the call's deadline, exit 124) first. When a budget is hit the call
// fails (exit 1) with a `mirage:` line naming the config key, not just-bash's own advice
// ("increase executionLimits.maxCommandCount"), which no user can follow.
import type { BashExecResult, BashOptions } from '../engine.js';
import type { WorkspaceLimits } from '../limits.js';

type ExecutionLimits = NonNullable<BashOptions['executionLimits']>;

export const COMMANDS_PER_CPU_SECOND = 100_000;
/** just-bash's exit code for a limit it enforced. */
const LIMIT_EXIT_CODE = 126;
const MIB = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

export function commandBudget(limits: WorkspaceLimits): number {
  return Math.max(1, Math.round(limits.cpu_seconds * COMMANDS_PER_CPU_SECOND));
}

export function builtinExecutionLimits(limits: WorkspaceLimits): ExecutionLimits {
  const budget = commandBudget(limits);
  return {
    maxCommandCount: budget,
    maxLoopIterations: budget,
    maxAwkIterations: budget,
    maxSedIterations: budget,
    maxJqIterations: Math.max(budget, 10_000_000),
    maxWorkUnits: Math.max(budget * 10, 100_000_000),
    // seq, brace expansion and arrays are bounded by element counts: 10 million (seq 1 1000000 needs 1 million).
    maxArrayElements: 10_000_000,
    maxBraceExpansionResults: 1_000_000,
    // Kept within what a Node timer can wait (2^31-1 ms, about 24.8 days).
    maxExecutionTimeMs: Math.min(Math.ceil(limits.timeout_s * 1000), MAX_TIMER_MS),
    maxOutputSize: Math.max(256 * MIB, limits.max_output_bytes),
  };
}

interface Rewrite {
  pattern: RegExp;
  message: (match: RegExpExecArray, limits: WorkspaceLimits) => string;
  exitCode: number;
}

const budgetNote = (limits: WorkspaceLimits): string => `limits.cpu_seconds ${limits.cpu_seconds} allows ${commandBudget(limits)}`;

const REWRITES: Rewrite[] = [
  {
    pattern: /^bash: too many commands executed \(>\d+\), increase executionLimits\.maxCommandCount$/,
    message: (_match, limits) => `mirage: command limit reached (${budgetNote(limits)} commands per call)`,
    exitCode: 1,
  },
  {
    pattern: /^bash: (for|while|until) loop: too many iterations \(\d+\), increase executionLimits\.maxLoopIterations$/,
    message: (match, limits) => `mirage: ${match[1]} loop iteration limit reached (${budgetNote(limits)} iterations per loop)`,
    exitCode: 1,
  },
  {
    pattern: /^bash: (?:([\w-]+): )?.*(?:iteration limit exceeded|work limit exceeded|exceeded maximum iterations).*$/,
    message: (match, limits) =>
      `mirage: ${match[1] !== undefined ? `${match[1]}: ` : ''}iteration limit reached (${budgetNote(limits)} iterations per call)`,
    exitCode: 1,
  },
  {
    pattern: /^bash: (?:([\w-]+) )?(?:execution )?exceeded (?:its |the )?execution deadline.*$/,
    message: (_match, limits) => `mirage: timeout reached (limits.timeout_s ${limits.timeout_s})`,
    exitCode: 124,
  },
  {
    pattern: /^bash: (?:.*: )?total output size exceeded.*$/,
    message: (_match, limits) => `mirage: output limit reached (limits.max_output_bytes ${limits.max_output_bytes})`,
    exitCode: 1,
  },
  {
    // Any other just-bash bound (string length, array size, nesting depth): not a config key.
    pattern: /^bash: (.*(?:limit exceeded|exceeded|too many).*?)(?:, increase executionLimits\.\w+)?$/,
    message: (match) => `mirage: builtin engine limit reached (${match[1]}); no workspace limit raises it`,
    exitCode: 1,
  },
];

/** Replaces just-bash's limit message (its last stderr line, exit 126 or 124) with ours. */
export function rewriteLimitMessages(result: BashExecResult, limits: WorkspaceLimits): BashExecResult {
  if (result.exitCode !== LIMIT_EXIT_CODE && result.exitCode !== 124) return result;
  const body = result.stderr.endsWith('\n') ? result.stderr.slice(0, -1) : result.stderr;
  const cut = body.lastIndexOf('\n');
  const last = body.slice(cut + 1);
  for (const rewrite of REWRITES) {
    const match = rewrite.pattern.exec(last);
    if (match === null) continue;
    if (rewrite.exitCode !== 124 && result.exitCode !== LIMIT_EXIT_CODE) return result;
    return { ...result, exitCode: rewrite.exitCode, stderr: `${body.slice(0, cut + 1)}${rewrite.message(match, limits)}\n` };
  }
  return result;
}
