import { spawnSync } from 'node:child_process';

/**
 * Finds a Python that can import `cryptography` (the reference Fernet implementation KoNote uses).
 * Used by the interop test and the benchmark; neither skips silently when it is missing.
 */
export function findPythonWithCryptography(): string {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(candidate, ['-c', 'import cryptography.fernet'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  throw new Error(
    'No python3 with the "cryptography" package was found (tried /usr/bin/python3 and python3). Install it: `apt-get install python3-cryptography` (CI installs it).',
  );
}

/** Runs a Python script with JSON on stdin (keys travel by stdin, never argv) and parses its JSON stdout. */
export function runPythonJson<T>(python: string, script: string, input: unknown): T {
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
