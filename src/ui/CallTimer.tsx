import { elapsedSeconds, formatDuration } from '../machine';
import { useDialer } from './dialerContext';
import { useNow } from './useNow';

/** How long the call has been connected, ticking each second; derived from the call's timestamps. */
export function CallTimer() {
  const running = useDialer((s) => s.context.call?.connectedAt != null && s.context.call.endedAt === null);
  const now = useNow(running);
  const seconds = useDialer((s) => elapsedSeconds(s, now));
  if (seconds === null) return null;
  return (
    <p className="sp-timer" role="timer" aria-label="Call duration">
      {formatDuration(seconds)}
    </p>
  );
}
