import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FernetKey, MultiFernet, InvalidToken } from '../../src-main/core/keys/fernet';

/** The Fernet spec's vectors (shared with every implementation): generate, verify, and must-reject. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vectorDir = path.resolve(projectRoot, '../shared/test-vectors/fernet');

interface GenerateVector { token: string; now: string; iv: number[]; src: string; secret: string }
interface VerifyVector { token: string; now: string; ttl_sec: number; src: string; secret: string }
interface InvalidVector { desc: string; token: string; now: string; ttl_sec: number; secret: string }

function load<T>(name: string): T[] {
  const file = path.join(vectorDir, name);
  if (!fs.existsSync(file)) throw new Error(`Fernet test vectors missing: ${file} (expected ../shared/test-vectors/fernet beside the project).`);
  const vectors = JSON.parse(fs.readFileSync(file, 'utf8')) as T[];
  if (vectors.length === 0) throw new Error(`${file} holds no vectors`);
  return vectors;
}

const generate = load<GenerateVector>('generate.json');
const verify = load<VerifyVector>('verify.json');
const invalid = load<InvalidVector>('invalid.json');

describe('fernet spec vectors', () => {
  it.each(generate.map((v, i) => [i, v] as const))('generate #%i produces the exact token', (_i, v) => {
    const key = FernetKey.parse(v.secret);
    expect(key.encrypt(v.src, { iv: Buffer.from(v.iv), now: Date.parse(v.now) })).toBe(v.token);
  });

  it.each(verify.map((v, i) => [i, v] as const))('verify #%i decrypts within its TTL', (_i, v) => {
    const list = MultiFernet.parse(v.secret);
    expect(list.decrypt(v.token, v.ttl_sec, Date.parse(v.now)).toString('utf8')).toBe(v.src);
  });

  it.each(invalid.map((v) => [v.desc, v] as const))('rejects invalid token: %s', (_d, v) => {
    const list = MultiFernet.parse(v.secret);
    expect(() => list.decrypt(v.token, v.ttl_sec, Date.parse(v.now))).toThrow(InvalidToken);
  });

  it('covers every invalid case the spec lists', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(11);
  });
});
