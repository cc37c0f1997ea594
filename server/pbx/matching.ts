/**
 * Which call a telephony event is about, when it carries no call id the server knows. Pure.
 *
 * As the VoIP webhook seed says, without a call id events are matched on the source and
 * destination numbers and extensions and the direction. In call terms: the direction, the
 * customer's number (source inbound, destination outbound), the company's number (the other one)
 * and the teammate's extension (source extension inbound, destination extension outbound). A side
 * that one report does not know (the plugin rarely knows the company number) matches anything.
 *
 * - A `start` matches an open call started within the window, that no other PBX call claimed.
 * - An `answer` or `end` matches the open call with those parties (a long call started hours ago
 *   too), or failing that one that already ended (a late duplicate, then a no-op).
 * - The closest start time wins.
 */
import type { Direction, FrontCallStatus } from '../calls/mapping';
import { isFinal } from '../calls/mapping';
import type { PbxEvent } from '../api/schemas';

/** Longest call an `answer` or `end` may belong to. */
export const MAX_CALL_MS = 12 * 3_600_000;

export interface CallParties {
  direction: Direction;
  /** The customer. */
  remoteNumber: string;
  /** The company's number, if known. */
  localNumber: string | null;
  /** The teammate's extension, if known. */
  extension: string | null;
}

export interface MatchCandidate extends CallParties {
  id: string;
  startedAt: number;
  frontState: FrontCallStatus | null;
  pbxCallId: string | null;
  pbxLinked: boolean;
}

/** The parties of a PBX event, read the way the seed defines its fields. */
export function partiesOfPbxEvent(e: Pick<PbxEvent, 'direction' | 'srcPhone' | 'srcPhoneExt' | 'dstPhone' | 'dstPhoneExt'>): CallParties {
  return e.direction === 'inbound'
    ? { direction: 'inbound', remoteNumber: e.srcPhone, localNumber: e.dstPhone, extension: e.srcPhoneExt ?? null }
    : { direction: 'outbound', remoteNumber: e.dstPhone, localNumber: e.srcPhone, extension: e.dstPhoneExt ?? null };
}

const agree = (a: string | null, b: string | null) => a === null || b === null || a === b;

export function sameParties(a: CallParties, b: CallParties): boolean {
  return a.direction === b.direction && a.remoteNumber === b.remoteNumber && agree(a.localNumber, b.localNumber) && agree(a.extension, b.extension);
}

export interface PbxMatchQuery extends CallParties {
  event: PbxEvent['event'];
  /** The PBX's call id, when it sent one (and the server does not know it yet). */
  pbxCallId: string | null;
  at: number;
}

/** The call a PBX event is about, among candidates; null when it is a new call. */
export function matchPbxEvent(candidates: readonly MatchCandidate[], query: PbxMatchQuery, windowMs: number): MatchCandidate | null {
  const eligible = candidates.filter((c) => {
    if (!sameParties(c, query)) return false;
    // Another PBX call already owns this one.
    if (c.pbxCallId !== null && query.pbxCallId !== null && c.pbxCallId !== query.pbxCallId) return false;
    if (query.event === 'start') return !isFinal(c.frontState) && Math.abs(c.startedAt - query.at) <= windowMs;
    return c.startedAt <= query.at + windowMs && c.startedAt >= query.at - MAX_CALL_MS;
  });
  return best(eligible, query.at);
}

/**
 * The PBX call a plugin's CALL_STARTED is about (the PBX reported it first), or null. Only open
 * calls the PBX reported, started within the window.
 */
export function matchPluginStart(candidates: readonly MatchCandidate[], query: CallParties & { at: number }, windowMs: number): MatchCandidate | null {
  return best(
    candidates.filter((c) => c.pbxLinked && !isFinal(c.frontState) && sameParties(c, query) && Math.abs(c.startedAt - query.at) <= windowMs),
    query.at,
  );
}

function best(candidates: readonly MatchCandidate[], at: number): MatchCandidate | null {
  let chosen: MatchCandidate | null = null;
  for (const c of candidates) {
    if (chosen === null) {
      chosen = c;
      continue;
    }
    const openC = !isFinal(c.frontState);
    const openChosen = !isFinal(chosen.frontState);
    if (openC !== openChosen) {
      if (openC) chosen = c;
      continue;
    }
    if (Math.abs(c.startedAt - at) < Math.abs(chosen.startedAt - at)) chosen = c;
  }
  return chosen;
}
