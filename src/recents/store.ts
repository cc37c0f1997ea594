/**
 * Recent calls, per teammate, in IndexedDB (database "softphone-recents"): the last
 * {@link MAX_RECENT_CALLS} calls of each teammate (keyed by Front's teammate id, so one teammate
 * never sees another's calls on a shared browser profile). Same adapter style as the call log's
 * outbox: a small port, an IndexedDB implementation and an in-memory fallback.
 */
import { openDB } from 'idb';
import type { Direction } from '../machine/types';

export const MAX_RECENT_CALLS = 100;

export type RecentOutcome = 'answered' | 'missed' | 'declined' | 'busy' | 'failed';

export interface RecentCall {
  readonly teammateId: string;
  readonly callId: string;
  readonly direction: Direction;
  /** E.164, or an extension / what the line gave. */
  readonly number: string;
  readonly name?: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Seconds talked; null when the call never connected. */
  readonly durationSeconds: number | null;
  readonly outcome: RecentOutcome;
  /** The Front conversation the call belongs to, when known. */
  readonly conversationId?: string;
}

export interface RecentCallsStore {
  /** Adds (or replaces, same call id) a call and keeps only the teammate's latest 100. */
  put(call: RecentCall): Promise<void>;
  /** The teammate's calls, newest first. */
  list(teammateId: string): Promise<RecentCall[]>;
}

export const RECENTS_DB = 'softphone-recents';
const STORE = 'calls';
const BY_TEAMMATE = 'byTeammate';

export async function openRecentCallsStore(name = RECENTS_DB): Promise<RecentCallsStore> {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
  const db = await openDB(name, 1, {
    upgrade(database) {
      const store = database.createObjectStore(STORE, { keyPath: ['teammateId', 'callId'] });
      store.createIndex(BY_TEAMMATE, ['teammateId', 'endedAt']);
    },
  });
  const range = (teammateId: string) => IDBKeyRange.bound([teammateId, -Infinity], [teammateId, Infinity]);
  return {
    async put(call) {
      const tx = db.transaction(STORE, 'readwrite');
      await tx.store.put(call);
      const index = tx.store.index(BY_TEAMMATE);
      let extra = (await index.count(range(call.teammateId))) - MAX_RECENT_CALLS;
      let cursor = extra > 0 ? await index.openCursor(range(call.teammateId)) : null; // oldest first
      while (cursor && extra > 0) {
        await cursor.delete();
        extra -= 1;
        cursor = await cursor.continue();
      }
      await tx.done;
    },
    async list(teammateId) {
      const calls = (await db.getAllFromIndex(STORE, BY_TEAMMATE, range(teammateId))) as RecentCall[];
      return calls.reverse();
    },
  };
}

/** Where IndexedDB is unavailable (blocked storage): kept for this page only. */
export function memoryRecentCallsStore(): RecentCallsStore {
  const rows: RecentCall[] = [];
  return {
    async put(call) {
      const at = rows.findIndex((r) => r.teammateId === call.teammateId && r.callId === call.callId);
      if (at !== -1) rows.splice(at, 1);
      rows.push(call);
      rows.sort((a, b) => a.endedAt - b.endedAt);
      const mine = rows.filter((r) => r.teammateId === call.teammateId);
      for (const old of mine.slice(0, Math.max(0, mine.length - MAX_RECENT_CALLS))) rows.splice(rows.indexOf(old), 1);
    },
    async list(teammateId) {
      return rows.filter((r) => r.teammateId === teammateId).reverse();
    },
  };
}
