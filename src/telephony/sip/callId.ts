/**
 * The callId of an incoming SIP call, derived from its dialog's Call-ID: every plugin instance
 * that receives the same INVITE (the account registered in several tabs, a forked call) names the
 * call the same way, so their reports to the call log agree.
 */
import { uniqueCallId } from '../session';

/** What the call log and the protocol accept: 1 to 128 printable characters without spaces. */
const FITS = /^[\x21-\x7E]{1,124}$/;

/** FNV-1a, 64 bits, as 16 hex digits: stable for a Call-ID too long or too odd to carry as is. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * `sip-<Call-ID>` when the Call-ID fits the callId rules, else `sip-h-<hash of the Call-ID>`. A
 * session without a Call-ID (never from JsSIP) gets a random id; a Call-ID this line already used
 * gets a suffix, so a callId still never repeats.
 */
export function inboundCallId(sipCallId: string | undefined, isUsed: (callId: string) => boolean): string {
  if (sipCallId === undefined || sipCallId === '') return uniqueCallId('sip');
  const base = FITS.test(sipCallId) ? `sip-${sipCallId}` : `sip-h-${fnv1a64(sipCallId)}`;
  let callId = base;
  for (let n = 2; isUsed(callId); n += 1) callId = `${base.slice(0, 120)}~${n}`;
  return callId;
}
