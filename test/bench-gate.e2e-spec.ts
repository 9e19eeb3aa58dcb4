// The quick benchmark gate (bench/lib/report.js): only ratios to a floor measured in the same run
// can fail CI; a difference in ms or an absolute time is reported but never gated, so a machine
// that runs 2x slower one day cannot turn CI red (docs/benchmarks.md).
import { row } from '../bench/lib/report.js';

describe('quick benchmark gate', () => {
  it('fails a ratio more than 3x off its ceiling', () => {
    const r = row({ figure: 'f', measured: 'm', kind: 'maxRatio', value: 3.1, limit: 1 });
    expect(r.pass).toBe(false);
    expect(r.gross).toBe(true);
  });

  it('fails a throughput ratio below a third of its floor', () => {
    expect(row({ figure: 'f', measured: 'm', kind: 'minRatio', value: 0.2, limit: 0.7 }).gross).toBe(true);
    expect(row({ figure: 'f', measured: 'm', kind: 'minRatio', value: 0.3, limit: 0.7 }).gross).toBe(false);
  });

  it('never fails on an absolute time, however far off', () => {
    const r = row({ figure: 'f', measured: 'm', kind: 'maxAbs', value: 10_000, limit: 50, format: String });
    expect(r.pass).toBe(false);
    expect(r.gross).toBe(false);
  });

  it('never fails on a difference in ms (it scales with the machine)', () => {
    const r = row({ figure: 'f', measured: 'm', kind: 'maxDeltaMs', value: 2.67, limit: 0.5 });
    expect(r.pass).toBe(false);
    expect(r.gross).toBe(false);
  });

  it('fails a ratio that could not be measured', () => {
    expect(row({ figure: 'f', measured: 'm', kind: 'maxRatio', value: Number.NaN, limit: 1 }).gross).toBe(true);
  });
});
