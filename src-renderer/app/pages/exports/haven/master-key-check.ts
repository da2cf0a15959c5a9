import type { HavenKeyWarning } from '../../../../../src-main/contract/haven';

/**
 * What the set-key form can say about a typed key before it is sent: its length, whether it is
 * hexadecimal, and Haven's two classic weaknesses (the shipped all-zero default, a 32-hex AES-128
 * key). The core checks again and has the last word; this only warns early.
 */
export interface MasterKeyCheck {
  hex: string;
  length: number;
  allHex: boolean;
  validLength: boolean;
  warnings: HavenKeyWarning[];
}

export function checkMasterKeyText(text: string): MasterKeyCheck {
  const hex = (/KMS_MASTER_KEY_HEX\s*=\s*["']?([0-9a-fA-Fx]+)/.exec(text)?.[1] ?? text).trim().replace(/^0x/i, '');
  const allHex = /^[0-9a-fA-F]*$/.test(hex);
  const validLength = [32, 48, 64].includes(hex.length);
  const warnings: HavenKeyWarning[] = [];
  if (allHex && validLength) {
    if (/^0+$/.test(hex)) warnings.push('all-zero');
    if (hex.length === 32) warnings.push('aes-128');
    if (hex.length === 48) warnings.push('aes-192');
  }
  return { hex, length: hex.length, allHex, validLength, warnings };
}
