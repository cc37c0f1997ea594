import { createStore as createValueStore, type ReadableStore } from '../store';
import type { ProblemReporter, TabRole } from './types';

/** The part of the Web Locks API the election uses (`navigator.locks`); tests inject a fake. */
export type LockPort = Pick<LockManager, 'request'>;

/** The platform's lock manager, or undefined where there is none (old browsers, some test environments). */
export function platformLocks(): LockPort | undefined {
  // Some environments have the property and no manager (happy-dom: null; insecure contexts: undefined).
  return (typeof navigator === 'object' && navigator !== null && navigator.locks) || undefined;
}

export interface ElectionOptions {
  /** The lock's name: every instance that must share one owner uses the same name. */
  readonly name: string;
  /** The lock manager; undefined means single-tab behaviour: this instance owns at once. */
  readonly locks: LockPort | undefined;
  readonly onProblem?: ProblemReporter;
}

/**
 * One owner per browser profile through an exclusive Web Lock.
 *
 * - An instance starts as `follower` with a request queued for the lock, and MUST become `owner`
 *   only when the lock manager grants it; it then holds the lock until `stop()`, or until it dies
 *   (tab closed, reloaded, crashed), when the browser releases the lock and grants it to the next
 *   request in the queue. No heartbeat, no timeout: liveness is the lock's.
 * - `stop()` MUST release a held lock, MUST abort a queued request (AbortSignal), and leaves the
 *   role `stopped` for good.
 * - Without a lock manager the instance is `owner` at once (single-tab behaviour: each instance
 *   owns its own phone, as before tabs were coordinated). The same when the lock manager refuses
 *   the request (reported as `lock_failed`).
 */
export interface Election {
  readonly role: ReadableStore<TabRole>;
  stop(): void;
}

export function createElection({ name, locks, onProblem }: ElectionOptions): Election {
  const role = createValueStore<TabRole>(locks ? 'follower' : 'owner');
  if (!locks) {
    return { role, stop: () => role.setState('stopped') };
  }

  const abort = new AbortController();
  let stepDown!: () => void;
  const held = new Promise<void>((resolve) => (stepDown = resolve));

  locks
    .request(name, { mode: 'exclusive', signal: abort.signal }, () => {
      // Granted after stop() (an abort that lost the race): hand the lock straight back.
      if (abort.signal.aborted) return;
      try {
        role.setState('owner');
      } catch (error) {
        // A listener's bug must not hand the lock back while this instance acts as owner.
        queueMicrotask(() => {
          throw error;
        });
      }
      return held;
    })
    .catch((error: unknown) => {
      if (abort.signal.aborted) return; // the abort we asked for
      // A phone that works in this tab beats no phone at all: fall back to single-tab behaviour.
      onProblem?.({ code: 'lock_failed', message: `The tab lock could not be requested, this tab owns its phone alone: ${describe(error)}` });
      role.setState('owner');
    });

  return {
    role,
    stop() {
      abort.abort();
      stepDown();
      role.setState('stopped');
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
