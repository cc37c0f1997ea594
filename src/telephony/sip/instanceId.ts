/**
 * The SIP instance id of this browser profile (RFC 5626's `+sip.instance`, a UUID): made once,
 * kept in the profile's local storage, so every user agent the profile starts (in any Front tab,
 * after any reload) registers as the same device. The registrar then replaces the previous
 * owner's binding with the new owner's instead of holding two contacts for the account, even
 * when the old tab died without unregistering.
 */

/** The local-storage key of the profile's SIP instance id. */
export const SIP_INSTANCE_KEY = 'softphone.sip.instance';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The profile's instance id, made and saved on first use. Without storage (blocked, or throwing)
 * it is a fresh id each time: the line still works, the registrar just cannot tell it is the same
 * device. A stored value that is not a UUID is replaced.
 */
export function profileSipInstanceId(storage: Pick<Storage, 'getItem' | 'setItem'> | undefined, newId: () => string = () => crypto.randomUUID()): string {
  try {
    const kept = storage?.getItem(SIP_INSTANCE_KEY);
    if (kept && UUID.test(kept)) return kept;
  } catch {
    // Storage denied: fall through to a fresh id.
  }
  const made = newId();
  try {
    storage?.setItem(SIP_INSTANCE_KEY, made);
  } catch {
    // Not kept: the next user agent makes another.
  }
  return made;
}
