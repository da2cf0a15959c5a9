import { Readable, Transform } from 'node:stream';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { AppError } from '../common/errors';

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

export async function decryptStream(ciphertext: Readable, identities: string[]): Promise<Readable> {
  const d = new Decrypter();
  for (const i of identities) d.addIdentity(i.trim());
  try {
    const web = await d.decrypt(Readable.toWeb(ciphertext) as ReadableStream<Uint8Array>);
    return Readable.fromWeb(web as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
  } catch (e) {
    throw new AppError('KeyMismatch', 'This backup file cannot be opened with the backup identity in custody.', 'Use the identity that was active when the set was made (see the set’s recipients), or recover it from escrow.', { cause: e });
  }
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
