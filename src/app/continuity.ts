import * as v from 'valibot';
import { END_REASONS, ParticipantSchema } from '../telephony/protocol';
import type { DialerSnapshot, RecoveredFrom, SessionRecover } from '../machine';

/**
 * What of the call on screen must outlive the page that holds the phone (issue 9, "Reload
 * mid-call" and "Wrap-up survives"). The owner writes it to the browser's local storage, which is
 * synchronous, so it is there even when the page is killed; the next owner (a reload, another tab
 * taking over) reads it once and hands it to its machine as SESSION.RECOVER.
 *
 * Kept while the call is in progress (`live`), in mandatory tagging (`tagging`) or ended and not
 * settled yet (`ended`); removed as soon as it settles. No secret is in it: the call's parties,
 * times and tags, as the screen shows them.
 */
export const SAVED_CALL_KEY = 'softphone.phone.call';

/** While a call is live, how often its "last seen" time is refreshed: the end time of a call lost with its page. */
export const LIVE_REFRESH_MS = 5000;

const SavedCallSchema = v.strictObject({
  version: v.literal(1),
  from: v.picklist(['live', 'tagging', 'ended']),
  call: v.strictObject({
    callId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    direction: v.picklist(['inbound', 'outbound']),
    from: v.pipe(v.string(), v.maxLength(64)),
    to: v.pipe(v.string(), v.maxLength(64)),
    remote: ParticipantSchema,
    startedAt: v.number(),
    connectedAt: v.nullable(v.number()),
    endedAt: v.nullable(v.number()),
  }),
  tags: v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(50)),
  endReason: v.nullable(v.picklist(END_REASONS)),
  lastSeenAt: v.number(),
});

type SavedCall = v.InferOutput<typeof SavedCallSchema>;
type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

function recoverable(snapshot: DialerSnapshot): RecoveredFrom | null {
  if (!snapshot.context.call) return null;
  if (snapshot.hasTag('inCall')) return 'live';
  if (snapshot.hasTag('wrapUp')) return 'tagging';
  if (snapshot.matches({ ended: 'open' })) return 'ended';
  return null;
}

function write(storage: Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // Blocked or full storage: the call then cannot be recovered after a reload (said at start-up).
  }
}

/**
 * Keeps the call on screen in `storage` for the next owner. Returns the function that stops
 * (leaving what is saved: the page is going away, the next owner needs it).
 */
export function keepCallForNextOwner(
  actor: { getSnapshot(): DialerSnapshot; subscribe(next: (snapshot: DialerSnapshot) => void): { unsubscribe(): void } },
  storage: Storage | undefined,
  { now = Date.now, key = SAVED_CALL_KEY }: { now?: () => number; key?: string } = {},
): () => void {
  if (!storage) return () => {};
  let written: string | null = null;
  let refresh: ReturnType<typeof setInterval> | null = null;
  const save = (snapshot: DialerSnapshot, force = false) => {
    const from = recoverable(snapshot);
    const { call, tags, endReason } = snapshot.context;
    if (from === 'live' && refresh === null) refresh = setInterval(() => save(actor.getSnapshot(), true), LIVE_REFRESH_MS);
    if (from !== 'live' && refresh !== null) {
      clearInterval(refresh);
      refresh = null;
    }
    if (!from || !call) {
      if (written !== null) write(storage, key, null);
      written = null;
      return;
    }
    const body = { version: 1, from, call, tags, endReason } as const;
    const identity = JSON.stringify(body);
    if (identity === written && !force) return;
    written = identity;
    write(storage, key, JSON.stringify({ ...body, lastSeenAt: now() } satisfies SavedCall));
  };
  save(actor.getSnapshot());
  const subscription = actor.subscribe((snapshot) => save(snapshot));
  return () => {
    subscription.unsubscribe();
    if (refresh !== null) clearInterval(refresh);
  };
}

/**
 * The call an earlier owner left, as the event that brings it back; removed from storage (the new
 * owner saves it again as its own). Null when there is none; a malformed entry is dropped and
 * said through `onProblem`.
 */
export function takeSavedCall(storage: Storage | undefined, onProblem: (message: string) => void = () => {}, key = SAVED_CALL_KEY): SessionRecover | null {
  if (!storage) return null;
  let raw: string | null;
  try {
    raw = storage.getItem(key);
  } catch {
    return null;
  }
  if (raw === null) return null;
  write(storage, key, null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  const result = v.safeParse(SavedCallSchema, parsed);
  if (!result.success) {
    onProblem('The call saved by the previous page could not be read; it was dropped.');
    return null;
  }
  const { from, call, tags, endReason, lastSeenAt } = result.output;
  const { name, ...remote } = call.remote;
  return {
    type: 'SESSION.RECOVER',
    from,
    call: { ...call, remote: { ...remote, ...(name ? { name } : {}) } },
    tags,
    endReason,
    lastSeenAt,
  };
}
