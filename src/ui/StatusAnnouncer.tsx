import { selectAnnouncement, selectStatus, type DialerSnapshot } from '../machine';
import { useDialer } from './dialerContext';

/**
 * The call status in words, in a polite live region that is always mounted, so a screen reader
 * hears every change ("Calling +14155550100", "Ringing", "Connected", "On hold", ...).
 */
export function StatusAnnouncer() {
  const announcement = useDialer(selectAnnouncement);
  const tone = useDialer(selectTone);
  return (
    <p className="sp-status" data-tone={tone} role="status" aria-live="polite" aria-atomic="true">
      {announcement}
    </p>
  );
}

/** The colour of the status dot: only a visual cue, the words carry the meaning. */
function selectTone(snapshot: DialerSnapshot): 'idle' | 'progress' | 'live' | 'held' | 'ended' {
  const { status } = selectStatus(snapshot);
  if (status === 'idle') return 'idle';
  if (status === 'ended' || status === 'mandatoryTagging') return 'ended';
  if (status === 'connected') return snapshot.context.onHold ? 'held' : 'live';
  return 'progress';
}
