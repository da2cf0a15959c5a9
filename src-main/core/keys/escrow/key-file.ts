import { Decrypter, Encrypter, armor } from 'age-encryption';
import { AppError } from '../../common/errors';

/**
 * The "password manager / USB stick" escrow copy: the key list in an age file protected by a
 * passphrase (age's scrypt recipient), ASCII-armored so it can also be pasted into a password
 * manager. Anyone with Debian's/Homebrew's `age` can open it without Custodian:
 *   age -d konote-keys.age      (asks for the passphrase)
 * The plaintext is a one-line .env fragment, `FIELD_ENCRYPTION_KEY=<list>`, ready for KoNote.
 */

export const MIN_PASSPHRASE_LENGTH = 12;

export function assertPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new AppError(
      'Validation',
      `The passphrase is ${passphrase.length} characters long; use at least ${MIN_PASSPHRASE_LENGTH}.`,
      'Use a long passphrase of several unrelated words, and keep it apart from the file (e.g. in the password manager, not on the USB stick).',
    );
  }
}

/** Returns the armored age file text. `workFactor` (scrypt log2 N) is only lowered by tests. */
export async function encryptKeyFile(keyList: string, passphrase: string, workFactor?: number): Promise<string> {
  assertPassphrase(passphrase);
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  if (workFactor !== undefined) e.setScryptWorkFactor(workFactor);
  return armor.encode(await e.encrypt(`FIELD_ENCRYPTION_KEY=${keyList.trim()}\n`));
}

/** Opens a key file (armored or binary); a wrong passphrase is KeyMismatch, garbage is Validation. */
export async function decryptKeyFile(file: Uint8Array, passphrase: string): Promise<string> {
  const text = Buffer.from(file).toString('latin1');
  let raw: Uint8Array;
  try {
    raw = text.trimStart().startsWith('-----BEGIN AGE ENCRYPTED FILE-----') ? armor.decode(text) : file;
  } catch {
    throw notAKeyFile();
  }
  if (!Buffer.from(raw.subarray(0, 21)).toString('latin1').startsWith('age-encryption.org/v1')) throw notAKeyFile();
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  try {
    return await d.decrypt(raw, 'text');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/scrypt|passphrase|no identity|incorrect|failed to decrypt/i.test(msg)) {
      throw new AppError('KeyMismatch', 'The passphrase does not open this key file.', 'Check the passphrase (it is case-sensitive) or try another escrow copy: the printed sheet or the shares.');
    }
    throw notAKeyFile();
  }
}

function notAKeyFile(): AppError {
  return new AppError('Validation', 'This is not a Custodian key file (an age file protected by a passphrase).', 'Pick the .age file made with "custodian key escrow file".');
}
