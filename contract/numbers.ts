/**
 * The identifier rules both sides apply: one E.164 rule and one call-id rule. Plain regular
 * expressions (no valibot), so the plugin can test a number before it queues a report without
 * loading a schema, and the server's schemas (./reports.ts) are built from the same expressions.
 */

/**
 * E.164 as the call log takes it: a plus, a country code not starting with 0, then 5 to 15
 * digits in all. Shorter "numbers" (`+1234`) are extensions or service codes dressed up, and
 * Front would show them as a customer: refused. Examples: `+14155550100`, `+442071838750`,
 * `+33612345678` are E.164; `14155550100` (no plus), `+0123456789` (country code 0), `+1234`
 * (too short), `+1234567890123456` (16 digits), `+1 415 555 0100` (spaces) are not.
 */
export const E164 = /^\+[1-9]\d{4,14}$/;

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

/**
 * A call id as a line or PBX makes it: 1 to 128 printable ASCII characters, no spaces (SIP
 * Call-IDs, UUIDs, `sim-3`). Stored as a key and sent to Front as `external_call_id`.
 */
export const CALL_ID = /^[\x21-\x7E]{1,128}$/;

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && CALL_ID.test(value);
}
