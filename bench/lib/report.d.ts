// Types of report.js for the TypeScript specs that test the gate (test/bench-gate.e2e-spec.ts).
export type RowKind = 'maxRatio' | 'minRatio' | 'maxDeltaMs' | 'maxAbs' | 'info';
export interface RowInput {
  figure: string;
  measured: string;
  floor?: string;
  kind: RowKind;
  value: number | string;
  limit?: number;
  format?: (value: number) => string;
  ratio?: number;
  note?: string;
}
export interface Row {
  figure: string;
  measured: string;
  floor: string;
  ratio: string;
  target: string;
  pass: boolean;
  gross: boolean;
  info: boolean;
  gated: boolean;
  note?: string;
}
export function row(input: RowInput): Row;
export function resultText(row: Row): string;
export function printRows(rows: Row[], write?: (line: string) => void): void;
export function markdownTable(rows: Row[]): string;
