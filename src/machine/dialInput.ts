/**
 * Checks what the agent typed in a number field (the dialer or "Transfer to") before anything
 * reaches the line. Only digits, the usual separators and a leading + pass; the result is the bare
 * digits (with the +), so a SIP URI or any other injected string can never be dialled.
 */
export type DialInputResult = { ok: true; number: string } | { ok: false; error: string };

/** E.164 allows 15 digits; a number field longer than this is not a phone number. */
const MAX_INPUT_LENGTH = 40;
/** Internal extensions may be as short as 2 digits (the deployment's rule, src/phone). */
const MIN_DIGITS = 2;
const MAX_DIGITS = 15;

export function parseDialInput(raw: string): DialInputResult {
  const input = raw.trim();
  if (input === '') return { ok: false, error: 'Enter a phone number.' };
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, error: 'That number is too long.' };
  if (!/^\+?[0-9\s().-]+$/.test(input)) {
    return { ok: false, error: 'A phone number can only contain digits, spaces, ( ) - . and a leading +.' };
  }
  const digits = input.replace(/[^0-9]/g, '');
  if (digits.length < MIN_DIGITS) return { ok: false, error: 'That number is too short.' };
  if (digits.length > MAX_DIGITS) return { ok: false, error: 'That number is too long.' };
  return { ok: true, number: (input.startsWith('+') ? '+' : '') + digits };
}

/** DTMF digits the keypad may send. */
export function isDtmf(digits: string): boolean {
  return /^[0-9*#]{1,32}$/.test(digits);
}

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 100;

/** Tags are names the agent picked; empty, duplicate-free, bounded. */
export function isValidTagList(tags: readonly unknown[]): tags is string[] {
  return (
    tags.length >= 1 &&
    tags.length <= MAX_TAGS &&
    tags.every((tag) => typeof tag === 'string' && tag.trim() !== '' && tag.length <= MAX_TAG_LENGTH)
  );
}
