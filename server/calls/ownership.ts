/**
 * Who may change a call, and the id Front knows it by.
 *
 * - A call belongs to the teammate whose token reported its CALL_STARTED, or, for a call the PBX
 *   reported first, to the teammate whose extension the PBX named (nobody when it named none).
 * - A plugin names its calls with its own ids; the server keys them by (teammate, client id), so
 *   two teammates' ids never meet, and the Front id of a teammate's call is derived from both
 *   ({@link frontCallId}): a client cannot pick, guess into or collide with another teammate's id.
 * - Only the owner's reports change a call. Another teammate's report about it is refused (403).
 * - A call the PBX says another teammate answered is handed over to that teammate ("answered
 *   elsewhere"); the PBX is the one reporter that speaks for every teammate (it is signed).
 * - A transfer: the target reports its own leg, owned by the target, naming the transferred leg as
 *   its parent. A teammate may name another's leg as parent only when that leg ended
 *   `transferred`, is with the same customer, and no other leg claimed it yet; naming it changes
 *   nothing of the parent, it only threads the new leg into the parent's conversation.
 */
import { createHash } from 'node:crypto';

/** Length of the teammate part of a Front call id: 't' and 16 hex digits of SHA-256(email). */
const OWNER_PART = 17;

/** The Front `external_call_id` of a plugin's call: the owner's fixed-length tag, a dash, the client id. */
export function frontCallId(owner: string, clientRef: string): string {
  return `${ownerTag(owner)}-${clientRef}`;
}

export function ownerTag(owner: string): string {
  const tag = `t${createHash('sha256').update(owner.toLowerCase()).digest('hex').slice(0, 16)}`;
  return tag.length === OWNER_PART ? tag : tag.padEnd(OWNER_PART, '0');
}

/** The store key of an alias (a plugin's id for a PBX call it joined): owner, newline, client id. */
export function aliasKey(owner: string, clientRef: string): string {
  return `${owner}\n${clientRef}`;
}

/** The Front id of a call the PBX reported first: its own namespace, so no plugin id can meet it. */
export function pbxFrontCallId(pbxCallId: string): string {
  return `pbx-${pbxCallId}`;
}
