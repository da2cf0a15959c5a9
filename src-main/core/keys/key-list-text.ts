import { AppError } from '../common/errors';

/** Accepts the bare list, or picks FIELD_ENCRYPTION_KEY out of an environment file. */
export function extractKeyList(text: string): string {
  const m = /^\s*(?:export\s+)?FIELD_ENCRYPTION_KEY\s*=\s*(.*)$/m.exec(text);
  const value = m ? m[1]!.trim().replace(/^(['"])(.*)\1$/, '$2') : text.trim();
  if (!value) throw new AppError('KeyInvalid', 'No key list was given.', 'Pipe the key list into the command, e.g. `custodian key import < key.txt`, or use --from-file.');
  return value;
}
