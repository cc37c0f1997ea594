import { selectAnnouncement, selectStatus, type DialerSnapshot } from '../machine';
import { useDialer } from './dialerContext';

/**
 * The call status in words, in a polite live region that is always mounted, so a screen reader
 * hears every change ("Calling +14155550100", "Ringing", "Connected", "On hold", "Connected,
 * muted", ...). On the ended screen its words are the summary's heading: the region still
 * announces them but only the heading shows them, so the outcome is said once.
 */
export function StatusAnnouncer() {
  const announcement = useDialer(selectSpoken);
  const tone = useDialer(selectTone);
  return (
    <p className={tone === 'ended' ? 'sp-status sp-visually-hidden' : 'sp-status'} data-tone={tone} role="status" aria-live="polite" aria-atomic="true">
      {announcement}
    </p>
  );
}

/** The machine's words, and whether the microphone is muted while the call is live. */
function selectSpoken(snapshot: DialerSnapshot): string {
  const words = selectAnnouncement(snapshot);
  return snapshot.context.muted && snapshot.hasTag('inCall') ? `${words}, muted` : words;
}

/** The colour of the status dot: only a visual cue, the words carry the meaning. */
function selectTone(snapshot: DialerSnapshot): 'idle' | 'progress' | 'live' | 'held' | 'ended' {
  const { status } = selectStatus(snapshot);
  if (status === 'idle') return 'idle';
  if (status === 'ended' || status === 'mandatoryTagging') return 'ended';
  if (status === 'connected') return snapshot.context.onHold ? 'held' : 'live';
  return 'progress';
}
