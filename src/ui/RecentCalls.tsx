import { lazy, Suspense, useEffect, useId, useState } from 'react';
import { useFrontSession } from './frontContext';

// The list, its store and the call-back buttons load on first use (never on the first screen).
const RecentCallsView = lazy(() => import('./RecentCallsView').then(({ RecentCallsView: View }) => ({ default: View })));

/** Outside Front (no teammate): the calls of this browser profile (src/recents OUTSIDE_FRONT). */
const OUTSIDE_FRONT = 'outside-front';

/** "Recent calls, 2 missed calls": the button's accessible name says the count. */
export function recentCallsLabel(missed: number): string {
  return missed > 0 ? `Recent calls, ${missed} missed call${missed === 1 ? '' : 's'}` : 'Recent calls';
}

/**
 * The "Recent calls" button, with the missed calls since the teammate last looked, and the view it
 * opens (this teammate's last 100 calls, src/recents). Counted in every tab: each reads the store
 * and hears when the owner records a call or another tab looked.
 */
export function RecentCalls() {
  const teammateId = useFrontSession((session) => session.teammate?.id ?? null) ?? OUTSIDE_FRONT;
  const [open, setOpen] = useState(false);
  const missed = useMissedCount(teammateId, open);
  const viewId = useId();

  return (
    <div className="sp-recents">
      <button
        type="button"
        className="sp-button sp-button--secondary sp-button--small"
        aria-expanded={open}
        aria-controls={open ? viewId : undefined}
        aria-label={recentCallsLabel(missed)}
        onClick={() => setOpen((o) => !o)}
      >
        Recent calls
        {missed > 0 && (
          <span className="sp-recents__badge" aria-hidden="true">
            {missed}
          </span>
        )}
      </button>
      {open && (
        <Suspense fallback={<p className="sp-muted">Loading recent calls…</p>}>
          <RecentCallsView id={viewId} teammateId={teammateId} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </div>
  );
}

/** Missed calls since the teammate last looked; looking (the view open) marks them seen. */
function useMissedCount(teammateId: string, looking: boolean): number {
  const [missed, setMissed] = useState(0);
  useEffect(() => {
    let live = true;
    let stop = () => {};
    const storage = browserStorage();
    void import('../recents').then(({ recentCallsStore, lastSeen, markSeen, missedSince, onRecentCallsChanged, SEEN_KEY_PREFIX }) => {
      if (!live) return;
      const count = async () => {
        const calls = await (await recentCallsStore()).list(teammateId);
        if (looking) markSeen(storage, teammateId, Math.max(Date.now(), ...calls.map((c) => c.endedAt)));
        if (live) setMissed(missedSince(calls, lastSeen(storage, teammateId)));
      };
      void count();
      const stopChanges = onRecentCallsChanged(() => void count());
      const onStorage = (event: StorageEvent) => {
        if (event.key === null || event.key === SEEN_KEY_PREFIX + teammateId) void count();
      };
      window.addEventListener('storage', onStorage);
      stop = () => {
        stopChanges();
        window.removeEventListener('storage', onStorage);
      };
    });
    return () => {
      live = false;
      stop();
    };
  }, [teammateId, looking]);
  return missed;
}

function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // blocked: src/recents keeps this page's copy
  }
}

export default RecentCalls;
