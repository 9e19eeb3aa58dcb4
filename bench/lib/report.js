// Rows of the results table: each figure, its floor, the ratio and whether the target holds.
// `gross` marks a figure more than 3x off its target (what --quick fails on) and is set only for
// ratio kinds: a ratio to a floor measured in the same run means the same on a slow or busy
// machine, while a difference in ms or an absolute time scales with the machine and so is
// reported, never gated (docs/benchmarks.md).

const KINDS = {
  // measured / floor must stay at or below the limit
  maxRatio: { gated: true, pass: (v, l) => v <= l, gross: (v, l) => v > 3 * l, target: (l) => `≤ ${l}×`, show: (v) => `${v.toFixed(2)}×` },
  // measured / floor (a throughput) must stay at or above the limit
  minRatio: { gated: true, pass: (v, l) => v >= l, gross: (v, l) => v < l / 3, target: (l) => `≥ ${l}×`, show: (v) => `${v.toFixed(2)}×` },
  // measured - floor, in ms
  maxDeltaMs: {
    pass: (v, l) => v <= l,
    gross: () => false,
    target: (l) => `≤ +${l} ms`,
    show: (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)} ms`,
  },
  // an absolute figure (time, bytes) against a fixed limit; `format` renders it
  maxAbs: { pass: (v, l) => v <= l, gross: () => false, target: (l, f) => `≤ ${f(l)}`, show: (v, f) => f(v) },
  info: {
    pass: () => true,
    gross: () => false,
    target: () => '(info)',
    show: (v) => (typeof v === 'number' ? `${v.toFixed(2)}×` : String(v)),
  },
};

/**
 * figure: what is measured; measured / floor: display strings; kind + value + limit: the check;
 * format: how maxAbs values and limits print; ratio: optional measured/floor shown beside an
 * absolute check.
 */
export function row({ figure, measured, floor = '—', kind, value, limit, format = String, ratio, note }) {
  const k = KINDS[kind];
  if (k === undefined) throw new Error(`unknown kind ${kind}`);
  const valid = Number.isFinite(value) || kind === 'info';
  const shown = kind === 'maxAbs' ? (ratio === undefined ? '—' : `${ratio.toFixed(2)}×`) : k.show(value, format);
  return {
    figure,
    measured,
    floor,
    ratio: shown,
    target: k.target(limit, format),
    pass: valid && k.pass(value, limit),
    gross: k.gated === true && (!valid || k.gross(value, limit)),
    info: kind === 'info',
    gated: k.gated === true,
    note,
  };
}

export function resultText(r) {
  if (r.info) return 'info';
  if (r.pass) return 'pass';
  if (r.gross) return 'MISS (>3× off)';
  return r.gated ? 'MISS' : 'MISS (not gated)';
}

export function printRows(rows, write = (line) => process.stdout.write(`${line}\n`)) {
  const header = ['figure', 'measured', 'floor', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [r.figure, r.measured, r.floor, r.ratio, r.target, resultText(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => v.padEnd(widths[i])).join('  ');
  write(line(header));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) write(line(c));
}

export function markdownTable(rows) {
  const lines = ['| figure | measured | floor (same run) | ratio | target | result |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const note = r.note ? ` <br><sub>${r.note}</sub>` : '';
    lines.push(`| ${r.figure}${note} | ${r.measured} | ${r.floor} | ${r.ratio} | ${r.target} | ${resultText(r)} |`);
  }
  return lines.join('\n');
}
