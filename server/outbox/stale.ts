/**
 * Which of a call's waiting status updates are stale and may be skipped when the outbox is behind
 * Front's budget. Pure.
 *
 * Contract:
 * - Only a run of status updates at the head of the call's queue is considered (a summary,
 *   recording or transcript ends the run: they keep their place), and only updates never tried
 *   (an attempt may have reached Front: Front's state would then be unknown).
 * - The last update of the run is always kept (it is the call's freshest state, and a final state
 *   is always last: nothing follows it). Of the others, as many are skipped as possible while
 *   every update still sent is a valid transition in Front's table from the state Front has then
 *   (./../calls/mapping.ts `isValidTransition`): hold then resume both waiting, from `connected`,
 *   are both skipped; `ringing → connected → hangup` keeps `connected` (`ringing → hangup` is not
 *   a transition).
 * - Nothing final is ever skipped; the order of what is kept is the order queued.
 */
import { isFinal, isValidTransition, type FrontCallStatus } from '../calls/mapping';

export interface WaitingOp {
  seq: number;
  kind: string;
  /** The status it sets (create: initial status; status: call_status); null for other kinds. */
  status: FrontCallStatus | null;
  attempts: number;
}

/**
 * Seqs of the head run to skip, given Front's state now (`current`: after the last update Front
 * applied; null before the create) and the call's waiting ops, oldest first.
 */
export function staleStatusSeqs(current: FrontCallStatus | null, waiting: readonly WaitingOp[]): number[] {
  const run: WaitingOp[] = [];
  for (const op of waiting) {
    if (op.kind !== 'status' || op.status === null || op.attempts > 0) break;
    run.push(op);
  }
  if (run.length < 2 || current === null) return [];
  // Shortest chain of valid transitions from `current` to the run's last state, through the run
  // in order (a breadth-first search over at most a handful of updates).
  const n = run.length;
  const previous = new Array<number>(n).fill(-2);
  const queue: number[] = [];
  for (let j = 0; j < n; j++) {
    if (isValidTransition(current, run[j]!.status!)) {
      previous[j] = -1;
      queue.push(j);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (let j = i + 1; j < n; j++) {
      if (previous[j] === -2 && isValidTransition(run[i]!.status!, run[j]!.status!)) {
        previous[j] = i;
        queue.push(j);
      }
    }
  }
  if (previous[n - 1] === -2) return []; // no valid chain: send them all as queued
  const kept = new Set<number>();
  for (let j = n - 1; j >= 0; j = previous[j]!) kept.add(j);
  const skipped = run.filter((op, i) => !kept.has(i));
  // Never a final state (a final state can only be last, so this is a safeguard).
  return skipped.some((op) => isFinal(op.status)) ? [] : skipped.map((op) => op.seq);
}
