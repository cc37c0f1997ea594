import { useState } from 'react';
import { formatDuration } from '../machine';
import { useDialer } from './dialerContext';
import { useNow } from './useNow';

/**
 * "Muted" and "On hold 0:42": what the line applied, visible beside the call (the status region
 * announces both). The hold timer counts from when this screen saw the hold begin: the machine
 * keeps whether the call is held, not since when.
 */
export function CallBadges() {
  const muted = useDialer((s) => s.context.muted);
  const onHold = useDialer((s) => s.context.onHold);
  if (!muted && !onHold) return null;
  return (
    <p className="sp-badges">
      {onHold && <HoldBadge />}
      {muted && <span className="sp-badge sp-badge--muted">Muted</span>}
    </p>
  );
}

function HoldBadge() {
  const [since] = useState(() => Date.now());
  const now = useNow(true);
  return (
    <span className="sp-badge sp-badge--held">
      On hold{' '}
      <span className="sp-mono" role="timer" aria-label="Time on hold">
        {formatDuration((now - since) / 1000)}
      </span>
    </span>
  );
}
