import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { decryptBatch, encryptBatch } from '../../src-main/core/keys/fernet-batch';
import { findPythonWithCryptography, runPythonJson } from '../helpers/python-fernet';

/**
 * Interoperability with Python `cryptography` (what KoNote runs): tokens we write must open in
 * KoNote and KoNote's tokens must open here, for a two-key MultiFernet list. Fails (does not skip)
 * when Python's cryptography is missing.
 */
const python = findPythonWithCryptography();

const PY = `
import json, sys
from cryptography.fernet import Fernet, MultiFernet
req = json.load(sys.stdin)
mf = MultiFernet([Fernet(k.encode()) for k in req["keys"]])
out = {}
if "decrypt" in req:
    out["plain"] = [mf.decrypt(t.encode()).decode("utf-8") for t in req["decrypt"]]
if "encrypt" in req:
    out["tokens"] = [mf.encrypt(p.encode("utf-8")).decode() for p in req["encrypt"]]
if "encryptWithSecond" in req:
    f2 = Fernet(req["keys"][1].encode())
    out["oldTokens"] = [f2.encrypt(p.encode("utf-8")).decode() for p in req["encryptWithSecond"]]
print(json.dumps(out))
`;

const plaintexts = ['Jane', 'Côté-Tremblay', '1987-03-14', 'Met at the drop-in; discussed housing options.\nNext: call landlord.', '', '🙂 emoji and ünïcödé'];

describe('Fernet interop with Python cryptography', () => {
  const k1 = FernetKey.generate();
  const k2 = FernetKey.generate();
  const list = MultiFernet.parse(`${k1},${k2}`);

  it('Python decrypts tokens Node encrypted (first key and second key of the list)', () => {
    const tokens = [...plaintexts.map((p) => list.encrypt(p)), ...plaintexts.map((p) => MultiFernet.parse(k2).encrypt(p))];
    const out = runPythonJson<{ plain: string[] }>(python, PY, { keys: [k1, k2], decrypt: tokens });
    expect(out.plain).toEqual([...plaintexts, ...plaintexts]);
  });

  it('Node decrypts tokens Python encrypted (MultiFernet first key, and second key)', () => {
    const out = runPythonJson<{ tokens: string[]; oldTokens: string[] }>(python, PY, { keys: [k1, k2], encrypt: plaintexts, encryptWithSecond: plaintexts });
    expect(out.tokens.map((t) => list.decrypt(t).toString('utf8'))).toEqual(plaintexts);
    expect(out.tokens.map((t) => list.decryptWithIndex(t).keyIndex)).toEqual(plaintexts.map(() => 0));
    expect(out.oldTokens.map((t) => list.decryptWithIndex(t))).toEqual(plaintexts.map((p) => ({ plaintext: Buffer.from(p, 'utf8'), keyIndex: 1 })));
  });

  it('batch API (rotation): Python decrypts encryptBatch tokens, decryptBatch opens Python tokens with the right key index', () => {
    const many = Array.from({ length: 120 }, (_, i) => `${plaintexts[i % plaintexts.length]} #${'x'.repeat(i)}`); // lengths across many blocks
    const ours = encryptBatch(FernetKey.parse(k2), many).map((t) => t.toString('ascii'));
    expect(runPythonJson<{ plain: string[] }>(python, PY, { keys: [k1, k2], decrypt: ours }).plain).toEqual(many);
    const theirs = runPythonJson<{ tokens: string[]; oldTokens: string[] }>(python, PY, { keys: [k1, k2], encrypt: many, encryptWithSecond: many });
    const r = decryptBatch(list, [...theirs.tokens, ...theirs.oldTokens].map((t) => Buffer.from(t, 'ascii')));
    expect(r.plaintexts.map((p) => p!.toString('utf8'))).toEqual([...many, ...many]);
    expect(Array.from(r.keyIndex)).toEqual([...many.map(() => 0), ...many.map(() => 1)]);
  });

  it('Python refuses a Node token under a list without its key', () => {
    const token = MultiFernet.parse(k1).encrypt('x');
    expect(() => runPythonJson(python, PY, { keys: [k2], decrypt: [token] })).toThrow(/InvalidToken/);
  });
});
