// What one command would move, and how it adds up into ProvisionResults.
import type { ProvisionPrecision, ProvisionResult } from '@mirage-ts/protocol';

/**
 * S3 list prices (us-east-1, S3 Standard) used for `estimated_cost_usd`:
 * GET-class requests $0.0004 per 1,000; PUT/COPY/POST/LIST requests $0.005 per 1,000;
 * data transfer out $0.09 per GB (first 10 TB tier, GB = 2^30 bytes). DELETE is free.
 * The estimate prices the high end of the network reads.
 */
export const S3_PRICING = {
  getRequestUsd: 0.0004 / 1000,
  putRequestUsd: 0.005 / 1000,
  listRequestUsd: 0.005 / 1000,
  egressUsdPerGb: 0.09,
  bytesPerGb: 1024 ** 3,
} as const;

export interface Range {
  lo: number;
  hi: number;
}

export const ZERO: Range = { lo: 0, hi: 0 };

const PRECISION_ORDER: ProvisionPrecision[] = ['exact', 'range', 'upper_bound', 'unknown'];

/** The less certain of two precisions. */
export function weakest(a: ProvisionPrecision, b: ProvisionPrecision): ProvisionPrecision {
  return PRECISION_ORDER.indexOf(a) >= PRECISION_ORDER.indexOf(b) ? a : b;
}

export function add(a: Range, b: Range): Range {
  return { lo: a.lo + b.lo, hi: a.hi + b.hi };
}

/** The counters of one simple command while it is being estimated. */
export class Tally {
  networkRead: Range = { ...ZERO };
  cacheRead: Range = { ...ZERO };
  networkWrite: Range = { ...ZERO };
  cacheWrite: Range = { ...ZERO };
  readOps = 0;
  cacheHits = 0;
  precision: ProvisionPrecision = 'exact';
  getRequests = 0;
  putRequests = 0;
  listRequests = 0;
  touchesS3 = false;
  /** Nested results folded into this command (a function body, `bash -c '...'`). */
  inner: ProvisionResult[] = [];

  degrade(precision: ProvisionPrecision): void {
    this.precision = weakest(this.precision, precision);
  }

  read(onS3: boolean, bytes: Range, objects: number): void {
    this.readOps += objects;
    if (onS3) {
      this.touchesS3 = true;
      this.networkRead = add(this.networkRead, bytes);
      this.getRequests += objects;
    } else {
      this.cacheRead = add(this.cacheRead, bytes);
      this.cacheHits += objects;
    }
    if (bytes.lo !== bytes.hi) this.degrade('range');
  }

  write(onS3: boolean, bytes: Range, objects: number): void {
    if (onS3) {
      this.touchesS3 = true;
      this.networkWrite = add(this.networkWrite, bytes);
      this.putRequests += objects;
    } else {
      this.cacheWrite = add(this.cacheWrite, bytes);
    }
    if (bytes.lo !== bytes.hi) this.degrade('range');
  }

  /** A listing or stat: no bytes, one LIST request on S3. */
  metadata(onS3: boolean): void {
    if (!onS3) return;
    this.touchesS3 = true;
    this.listRequests += 1;
  }

  costUsd(): number | null {
    if (!this.touchesS3) return null;
    const cost =
      this.getRequests * S3_PRICING.getRequestUsd +
      this.putRequests * S3_PRICING.putRequestUsd +
      this.listRequests * S3_PRICING.listRequestUsd +
      (this.networkRead.hi / S3_PRICING.bytesPerGb) * S3_PRICING.egressUsdPerGb;
    return roundUsd(cost);
  }

  result(op: string | null, command: string | null): ProvisionResult {
    return {
      kind: 'provision',
      op,
      command,
      children: [],
      network_read_low: this.networkRead.lo,
      network_read_high: this.networkRead.hi,
      cache_read_low: this.cacheRead.lo,
      cache_read_high: this.cacheRead.hi,
      network_write_low: this.networkWrite.lo,
      network_write_high: this.networkWrite.hi,
      cache_write_low: this.cacheWrite.lo,
      cache_write_high: this.cacheWrite.hi,
      read_ops: this.readOps,
      cache_hits: this.cacheHits,
      precision: this.precision,
      estimated_cost_usd: this.costUsd(),
    };
  }
}

function roundUsd(value: number): number {
  return Number(value.toPrecision(12));
}

const SUMMED = [
  'network_read_low',
  'network_read_high',
  'cache_read_low',
  'cache_read_high',
  'network_write_low',
  'network_write_high',
  'cache_write_low',
  'cache_write_high',
  'read_ops',
  'cache_hits',
] as const;

/** A parent whose children all run: sums, the weakest precision, costs added (null if none). */
export function sequence(op: string | null, command: string | null, children: ProvisionResult[]): ProvisionResult {
  const result = new Tally().result(op, command);
  result.children = children;
  let cost: number | null = null;
  for (const child of children) {
    for (const key of SUMMED) result[key] += child[key];
    result.precision = weakest(result.precision, child.precision);
    if (child.estimated_cost_usd !== null) cost = (cost ?? 0) + child.estimated_cost_usd;
  }
  result.estimated_cost_usd = cost === null ? null : roundUsd(cost);
  return result;
}

/**
 * A parent where exactly one of several branches runs (if/case), after a common part:
 * lows take the cheapest branch, highs the dearest; precision at least `range` when they differ.
 */
export function choice(op: string, command: string, common: ProvisionResult[], branches: ProvisionResult[][]): ProvisionResult {
  const base = sequence(op, command, common);
  const options = branches.map((branch) => sequence(null, null, branch));
  if (options.length === 0) return base;
  const result = sequence(op, command, [...common, ...branches.flat()]);
  for (const key of SUMMED) {
    if (key.endsWith('_low')) result[key] = base[key] + Math.min(...options.map((o) => o[key]));
    else if (key.endsWith('_high')) result[key] = base[key] + Math.max(...options.map((o) => o[key]));
    else result[key] = base[key] + Math.max(...options.map((o) => o[key]));
  }
  const costs = options.map((o) => o.estimated_cost_usd).filter((c): c is number => c !== null);
  if (base.estimated_cost_usd !== null || costs.length > 0) {
    result.estimated_cost_usd = roundUsd((base.estimated_cost_usd ?? 0) + (costs.length > 0 ? Math.max(...costs) : 0));
  }
  const differ = options.some((o) => SUMMED.some((key) => o[key] !== options[0]?.[key]));
  if (differ) result.precision = weakest(result.precision, 'range');
  return result;
}
