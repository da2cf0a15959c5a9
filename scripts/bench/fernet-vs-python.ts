import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import type { Benchmark } from './run';

/**
 * Decrypt throughput of our MultiFernet versus Python `cryptography` MultiFernet (what KoNote
 * runs) on the same 200k KoNote-style tokens: a two-key list, half the tokens under each key (so
 * half need the second key, as after a rotation). Only the decrypt loops are timed, on both sides.
 */

const COUNT = Number(process.env.BENCH_FERNET_TOKENS ?? 200_000);

const FIRST = ['Jane', 'Mohamed', 'Marie-Ève', 'Li', 'Oluwaseun', 'Aroha', 'José', 'Priya'];
const LAST = ['Tremblay', 'Nguyen', 'Côté', 'Smith', 'Okafor', 'Gagnon', 'Singh', 'MacDonald'];
const NOTES = [
  'Client attended the drop-in. Discussed housing options and next steps with the landlord.',
  'Phone check-in; reports feeling more settled since starting the new program.',
  'Referred to the food bank. Follow up next week about the income support application.',
];

function plaintext(i: number): string {
  switch (i % 4) {
    case 0: return FIRST[i % FIRST.length]!;
    case 1: return LAST[i % LAST.length]!;
    case 2: return `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;
    default: return `${NOTES[i % NOTES.length]} (${i})`;
  }
}

function findPython(): string {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(candidate, ['-c', 'import cryptography.fernet'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('python3 with the "cryptography" package is needed (apt-get install python3-cryptography).');
}

const PY = `
import json, sys, time
from cryptography.fernet import Fernet, MultiFernet
req = json.loads(sys.stdin.read())
mf = MultiFernet([Fernet(k.encode()) for k in req["keys"]])
with open(req["file"], "rb") as f:
    tokens = f.read().split(b"\\n")
tokens = [t for t in tokens if t]
start = time.perf_counter()
total = 0
for t in tokens:
    total += len(mf.decrypt(t))
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "count": len(tokens), "bytes": total}))
`;

const bench: Benchmark = {
  name: 'Fernet decrypt vs Python cryptography',
  goal: '>= 1.0 (decrypt throughput vs Python MultiFernet)',
  minRatio: 1.0,
  async run(): Promise<{ ratio: number; detail: string }> {
    const python = findPython();
    const k1 = FernetKey.generate();
    const k2 = FernetKey.generate();
    const list = MultiFernet.parse(`${k1},${k2}`);
    const newKey = FernetKey.parse(k1);
    const oldKey = FernetKey.parse(k2);
    const tokens: Buffer[] = new Array(COUNT);
    for (let i = 0; i < COUNT; i++) tokens[i] = Buffer.from((i % 2 === 0 ? newKey : oldKey).encrypt(plaintext(i)), 'ascii');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-'));
    try {
      const file = path.join(dir, 'tokens.txt');
      fs.writeFileSync(file, Buffer.concat(tokens.flatMap((t) => [t, Buffer.from('\n')])));

      // Warm up, then time one full pass (the same work Python does).
      for (let i = 0; i < Math.min(2000, COUNT); i++) list.decrypt(tokens[i]!);
      let bytes = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < COUNT; i++) bytes += list.decrypt(tokens[i]!).length;
      const ours = Number(process.hrtime.bigint() - start) / 1e9;

      const r = spawnSync(python, ['-c', PY], { input: JSON.stringify({ keys: [k1, k2], file }), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
      const py = JSON.parse(r.stdout) as { seconds: number; count: number; bytes: number };
      if (py.count !== COUNT || py.bytes !== bytes) throw new Error(`python decrypted ${py.count} tokens / ${py.bytes} bytes, we decrypted ${COUNT} / ${bytes}`);

      const oursRate = COUNT / ours;
      const pyRate = COUNT / py.seconds;
      return {
        ratio: oursRate / pyRate,
        detail: `${COUNT} tokens: ours ${Math.round(oursRate).toLocaleString('en')}/s (${ours.toFixed(2)} s), Python ${Math.round(pyRate).toLocaleString('en')}/s (${py.seconds.toFixed(2)} s)`,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;

// Runnable on its own: `npx tsx scripts/bench/fernet-vs-python.ts`
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  bench.run().then((r) => console.log(`${bench.name}: ratio ${r.ratio.toFixed(2)} (goal ${bench.goal}) — ${r.detail}`));
}
