// Small statistics helpers: medians and percentiles over samples, formatted numbers.

export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export const median = (samples) => percentile(samples, 50);

/** Milliseconds since `start` (a process.hrtime.bigint() value). */
export function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function fmtMs(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtBytes(bytes) {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes.toFixed(0)} B`;
}

export function fmtRate(perSecond, unit) {
  if (perSecond >= 10000) return `${(perSecond / 1000).toFixed(1)}k ${unit}/s`;
  return `${perSecond.toFixed(perSecond >= 100 ? 0 : 1)} ${unit}/s`;
}

/**
 * Runs `rounds` rounds of measured then floor (A B A B ...), collecting what each returns.
 * Odd rounds run the floor first, so neither side always gets the warmer turn.
 */
export async function interleave(rounds, measured, floor) {
  const a = [];
  const b = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      a.push(await measured(round));
      b.push(await floor(round));
    } else {
      b.push(await floor(round));
      a.push(await measured(round));
    }
  }
  return { measured: a, floor: b };
}
