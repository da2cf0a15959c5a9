/**
 * A rough passphrase strength hint for the key-file escrow: an entropy estimate from length and
 * the kinds of characters used (or, for passphrases of several words, from the word count). It is
 * a nudge towards long passphrases, not a guarantee; the core enforces only the minimum length.
 */
export type Strength = 'tooShort' | 'weak' | 'fair' | 'strong';

export const MIN_PASSPHRASE = 12;

export function estimateBits(p: string): number {
  if (!p) return 0;
  let pool = 0;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[^A-Za-z0-9\s]/.test(p)) pool += 33;
  if (/\s/.test(p)) pool += 1;
  // Repeated characters ("aaaa...") add little: count distinct runs, not raw length.
  const effective = p.replace(/(.)\1+/g, '$1').length;
  const charBits = effective * Math.log2(Math.max(pool, 2));
  // Diceware-style: ~11 bits per word from a 2 000-word vocabulary (a conservative lower bound).
  const words = p.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 3).length;
  const wordBits = words >= 3 ? words * 11 : 0;
  return Math.round(Math.max(charBits * 0.6, wordBits));
}

export function passphraseStrength(p: string): Strength {
  if (p.length < MIN_PASSPHRASE) return 'tooShort';
  const bits = estimateBits(p);
  if (bits < 50) return 'weak';
  if (bits < 70) return 'fair';
  return 'strong';
}
