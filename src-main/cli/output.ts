import { toErrorData } from '../core/common/errors';
import type { AppErrorData } from '../contract/errors';

/**
 * CLI output conventions (all verbs): with --json, exactly one JSON document on stdout whose top
 * level carries the result's fields, or {"error": {kind, message, hint}}; exit code 0 on success,
 * 1 on failure (2 for a usage error). Without --json, plain sentences for people.
 */
export interface OutputOptions {
  json?: boolean;
}

export function printResult<T extends object>(opts: OutputOptions, value: T, human: (v: T) => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else process.stdout.write(human(value).replace(/\n?$/, '\n'));
}

export function printError(opts: OutputOptions, e: unknown): AppErrorData {
  const error = toErrorData(e);
  if (opts.json) process.stdout.write(JSON.stringify({ error }, null, 2) + '\n');
  else process.stderr.write(`Error: ${error.message}\n${error.hint ? `What to do: ${error.hint}\n` : ''}`);
  return error;
}

/** A small table for people: columns padded to the widest cell. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Reads all of stdin (for secrets: never from argv). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
