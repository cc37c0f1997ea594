/**
 * The teammate's notes on a call ("Call notes"), kept in the browser's local storage by call id so
 * they survive a reload and are shared by every Front tab of the profile (the owner's call log
 * reads them when the call settles and sends them with the call's summary to Front). Bounded:
 * at most {@link MAX_KEPT} calls' notes, none older than {@link KEEP_MS}; the oldest go first.
 */
import { REPORT_LIMITS } from '../../contract';

export const NOTES_PREFIX = 'front-softphone/notes/';
const MAX_KEPT = 100;
const KEEP_MS = 7 * 24 * 3600 * 1000;

type NotesStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export interface CallNotesStore {
  /** The notes on the call, '' when none. */
  read(callId: string): string;
  /** Saves the notes (cut to the summary's limit); empty notes remove the entry. */
  write(callId: string, text: string): void;
}

interface Entry {
  readonly text: string;
  readonly at: number;
}

function parse(raw: string | null): Entry | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<Entry>;
    return typeof value.text === 'string' && typeof value.at === 'number' ? { text: value.text, at: value.at } : null;
  } catch {
    return null;
  }
}

/**
 * This page's copy of the notes, for when the browser refuses local storage (third-party storage
 * blocked, e.g. Incognito: then each tab runs its own phone, so the page's call log reads them here).
 */
const inPage = new Map<string, string>();

export function createCallNotesStore(storage: NotesStorage | undefined, now: () => number = Date.now): CallNotesStore {
  const prune = () => {
    if (!storage) return;
    const entries: { key: string; at: number }[] = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key?.startsWith(NOTES_PREFIX)) entries.push({ key, at: parse(storage.getItem(key))?.at ?? 0 });
    }
    entries.sort((a, b) => b.at - a.at);
    entries.forEach((entry, index) => {
      if (index >= MAX_KEPT || now() - entry.at > KEEP_MS) storage.removeItem(entry.key);
    });
  };
  return {
    read(callId) {
      try {
        const stored = parse(storage?.getItem(NOTES_PREFIX + callId) ?? null);
        if (stored) return stored.text;
      } catch {
        // Storage blocked: this page's copy.
      }
      return inPage.get(callId) ?? '';
    },
    write(callId, text) {
      const key = NOTES_PREFIX + callId;
      inPage.delete(callId);
      if (text.trim() !== '') inPage.set(callId, text.slice(0, REPORT_LIMITS.notes));
      while (inPage.size > MAX_KEPT) inPage.delete(inPage.keys().next().value!);
      if (!storage) return;
      try {
        if (text.trim() === '') storage.removeItem(key);
        else storage.setItem(key, JSON.stringify({ text: text.slice(0, REPORT_LIMITS.notes), at: now() }));
        prune();
      } catch {
        // Storage blocked or full: the notes live in the field until the page goes.
      }
    },
  };
}

/** The browser's local storage, or undefined where it is blocked. */
export function browserNotesStorage(): NotesStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
