// `npm run bench`: each benchmark measures Custodian against a baseline in the same run and
// reports a ratio with its goal (each benchmark says which way is better). Not part of the test suite: speed is never
// asserted by timed tests.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Benchmark {
  name: string;
  /** The goal as a human reads it, e.g. ">= 1.0 (throughput vs Python cryptography)". */
  goal: string;
  /** The ratio that meets the goal: at least minRatio (throughput) or at most maxRatio (time). */
  minRatio?: number;
  maxRatio?: number;
  run(): Promise<{ ratio: number; detail: string }>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort();
const only = process.argv[2];
const rows: string[][] = [['BENCHMARK', 'RATIO', 'GOAL', 'MET', 'DETAIL']];
for (const f of files) {
  const bench = (await import(pathToFileURL(path.join(here, f)).href)).default as Benchmark;
  if (only && !bench.name.includes(only)) continue;
  process.stderr.write(`running ${bench.name}...\n`);
  try {
    const { ratio, detail } = await bench.run();
    const met = bench.minRatio !== undefined ? (ratio >= bench.minRatio ? 'yes' : 'NO') : bench.maxRatio !== undefined ? (ratio <= bench.maxRatio ? 'yes' : 'NO') : '-';
    rows.push([bench.name, ratio.toFixed(2), bench.goal, met, detail]);
  } catch (e) {
    rows.push([bench.name, 'error', bench.goal, 'NO', e instanceof Error ? e.message : String(e)]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
