import { Readable, Transform, pipeline } from 'node:stream';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { AppError } from '../common/errors';
import { AGE_NONCE_BYTES, AgePayloadDecrypter, agePayloadKey, damagedBackupError } from './age-payload';

/**
 * age encryption of backup files, streamed (a dump can be gigabytes). X25519 recipients only:
 * they are what Debian's `age` CLI (1.1) reads, and what a printed identity sheet can hold.
 * The identity (private key) is not needed to back up, only to restore.
 */
export async function createAgeIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

export function assertAgeRecipient(recipient: string): void {
  if (!RECIPIENT.test(recipient.trim())) {
    throw new AppError('Validation', 'That is not an age public key (it should start with "age1" and be 62 characters).', 'Copy the recipient line from your age identity, e.g. with `age-keygen -y identity.txt`.');
  }
}

/** Wraps a plaintext Node stream into an age-encrypted Node stream. */
export async function encryptStream(plaintext: Readable, recipients: string[]): Promise<Readable> {
  if (recipients.length === 0) {
    throw new AppError('Validation', 'No age recipient is configured for this deployment, so the backup cannot be encrypted.', 'Create a backup identity in the Back up now wizard (or `custodian backup identity create`), or add a recipient.');
  }
  const e = new Encrypter();
  for (const r of recipients) {
    assertAgeRecipient(r);
    e.addRecipient(r.trim());
  }
  const web = await e.encrypt(Readable.toWeb(plaintext) as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
}

/**
 * Opens an age file for reading: the header (recipient stanzas, MAC) is checked by the
 * age-encryption library, the payload is decrypted by node:crypto (age-payload.ts), which is
 * 5–9× faster than the library's pure-JS cipher. Resolves once the header opened
 * with one of the identities; damage found later in the payload errors the returned stream with
 * a 'Validation' AppError before any unauthenticated byte is passed on.
 */
export async function decryptStream(ciphertext: Readable, identities: string[]): Promise<Readable> {
  const d = new Decrypter();
  try {
    for (const i of identities) d.addIdentity(i.trim());
  } catch (e) {
    ciphertext.destroy();
    throw new AppError('KeyInvalid', 'The backup identity is not a valid age identity.', 'It is the line starting with AGE-SECRET-KEY-1 in the identity file; recover it from escrow if it was damaged.', { cause: e });
  }
  // A read error while the header is checked must not go unheard (no listener would crash the
  // process); the pipeline below passes an error that happened meanwhile on to the consumer.
  const quiet = () => undefined;
  ciphertext.on('error', quiet);
  let start: { header: Buffer; nonce: Buffer; rest: Buffer };
  let fileKey: Uint8Array;
  try {
    start = await readAgeStart(ciphertext);
    fileKey = await d.decryptHeader(new Uint8Array(start.header)).catch((e: unknown) => {
      // The library's words for "none of the identities is a recipient of this file".
      if (e instanceof Error && /no identity matched/.test(e.message)) {
        throw new AppError('KeyMismatch', 'This backup file cannot be opened with the backup identity in custody.', 'Use the identity that was active when the set was made (see the set’s recipients), or recover it from escrow.', { cause: e });
      }
      throw damagedBackupError('its age header is not valid (it was changed or is not an age file).', e);
    });
  } catch (e) {
    ciphertext.destroy();
    throw e;
  }
  const payload = new AgePayloadDecrypter(agePayloadKey(fileKey, start.nonce));
  payload.write(start.rest);
  // Errors of the file stream reach the consumer through `payload`; destroying `payload` (the
  // consumer stopped) closes the file.
  pipeline(ciphertext, payload, () => undefined);
  ciphertext.off('error', quiet);
  return payload;
}

const AGE_MAGIC = Buffer.from('age-encryption.org/v1\n');
/** More than any header of a few recipients needs; stops a non-age file from being read whole. */
const MAX_HEADER = 1 << 20;

/**
 * Reads the header (through the `--- <mac>` line and its newline) and the payload nonce off the
 * stream, leaving the stream paused just after what it returns in `rest`.
 */
function readAgeStart(src: Readable): Promise<{ header: Buffer; nonce: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let headerEnd = -1;
    const done = (err: Error | null, value?: { header: Buffer; nonce: Buffer; rest: Buffer }) => {
      src.off('readable', onReadable).off('end', onEnd).off('error', onError);
      if (err) reject(err);
      else resolve(value!);
    };
    const onError = (e: Error) => done(e);
    const onEnd = () => done(damagedBackupError(headerEnd < 0 ? 'it ends inside its age header (or is empty).' : 'it ends right after its age header.'));
    const onReadable = () => {
      for (let c: Buffer | null; (c = src.read() as Buffer | null) !== null; ) {
        buf = Buffer.concat([buf, c]);
        const magic = Math.min(buf.length, AGE_MAGIC.length);
        if (!buf.subarray(0, magic).equals(AGE_MAGIC.subarray(0, magic))) return done(damagedBackupError('it does not start like an age file.'));
        if (headerEnd < 0) {
          // The header ends with the first line starting with "---" (stanza lines start with "->",
          // their bodies are base64): that line and its newline are the last of the header.
          const footer = buf.indexOf('\n---');
          const eol = footer < 0 ? -1 : buf.indexOf(0x0a, footer + 1);
          if (eol >= 0) headerEnd = eol + 1;
          else if (buf.length > MAX_HEADER) return done(damagedBackupError('its age header is not valid (it was changed or is not an age file).'));
        }
        if (headerEnd >= 0 && buf.length >= headerEnd + AGE_NONCE_BYTES) {
          const nonceEnd = headerEnd + AGE_NONCE_BYTES;
          return done(null, { header: buf.subarray(0, headerEnd), nonce: buf.subarray(headerEnd, nonceEnd), rest: buf.subarray(nonceEnd) });
        }
      }
    };
    src.on('readable', onReadable).on('end', onEnd).on('error', onError);
  });
}

/** A pass-through that counts bytes, for progress and the manifest. */
export function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      onBytes(total);
      cb(null, chunk);
    },
  });
}
