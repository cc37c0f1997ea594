import { useEffect, useState } from 'react';

/**
 * The wall clock, refreshed every `intervalMs` while `active`. Durations on screen are derived
 * from it and the call's timestamps, so a paused tab or a slow render never drifts the timer.
 */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [active, intervalMs]);
  return now;
}
