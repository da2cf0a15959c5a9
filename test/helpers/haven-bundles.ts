import { findPythonWithCryptography, runPythonJson } from './python-fernet';

/**
 * Builds `.enc` bundles in exactly Haven's layout with independent code (Python `cryptography`'s
 * AESGCM and `zipfile`), so Custodian is tested against files it did not write itself. Each
 * bundle also gets `<path>.expected.zip`, the exact plaintext. Keys travel by stdin, never argv.
 */
const BUILD = `
import io, json, os, sys, struct, zipfile, hashlib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
req = json.load(sys.stdin)
out = []
for b in req["bundles"]:
    csvs = {"Client.csv": b"PersonalID,FirstName\\n1,Ana\\n2,Lou\\n" * b.get("repeat", 1), "Enrollment.csv": b"EnrollmentID,PersonalID\\n10,1\\n", "Services.csv": b"ServicesID,EnrollmentID\\n100,10\\n"}
    hashes = [{"name": n, "sha256": hashlib.sha256(d).hexdigest()} for n, d in csvs.items()]
    if b.get("badHash"):
        hashes[2]["sha256"] = "0" * 64
    manifest = json.dumps({"exportId": "x", "files": hashes}).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in csvs.items():
            z.writestr(n, d)
        z.writestr("manifest.json", manifest)
        z.writestr("manifest.sha256", os.urandom(32).hex())
        z.writestr("signature.txt", os.urandom(32).hex())
    plain = buf.getvalue()
    master = bytes.fromhex(b["masterHex"])
    dek = AESGCM.generate_key(bit_length=256)
    wrap_iv = os.urandom(12)
    wrapped = wrap_iv + AESGCM(master).encrypt(wrap_iv, dek, None)
    iv = os.urandom(12)
    body = AESGCM(dek).encrypt(iv, plain, None)
    with open(b["path"], "wb") as f:
        f.write(struct.pack(">I", 12) + iv + struct.pack(">I", len(wrapped)) + wrapped + body)
    with open(b["path"] + ".expected.zip", "wb") as f:
        f.write(plain)
    out.append(len(plain))
json.dump(out, sys.stdout)
`;

const OPEN = `
import json, sys, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
req = json.load(sys.stdin)
data = open(req["path"], "rb").read()
iv_len = struct.unpack(">I", data[:4])[0]
iv = data[4:4 + iv_len]
wl = struct.unpack(">I", data[4 + iv_len:8 + iv_len])[0]
wrapped = data[8 + iv_len:8 + iv_len + wl]
try:
    dek = AESGCM(bytes.fromhex(req["masterHex"])).decrypt(wrapped[:12], wrapped[12:], None)
    plain = AESGCM(dek).decrypt(iv, data[8 + iv_len + wl:], None)
    json.dump({"ok": True, "plainHex": plain.hex()}, sys.stdout)
except Exception as e:
    json.dump({"ok": False, "error": type(e).__name__}, sys.stdout)
`;

export interface BundleSpec {
  path: string;
  masterHex: string;
  badHash?: boolean;
  repeat?: number;
}

export function havenBundleTools() {
  const python = findPythonWithCryptography();
  return {
    /** Writes the bundles; returns each plaintext ZIP's length. */
    build: (bundles: BundleSpec[]) => runPythonJson<number[]>(python, BUILD, { bundles }),
    /** Opens a bundle with Python alone: proves a re-wrapped file is still Haven's format. */
    open: (path: string, masterHex: string) => runPythonJson<{ ok: boolean; plainHex?: string; error?: string }>(python, OPEN, { path, masterHex }),
  };
}
