import { useEffect, useId, useMemo, useState } from 'react';
import { REPORT_LIMITS } from '../../contract';
import { browserNotesStorage, createCallNotesStore, NOTES_PREFIX } from '../calllog/notes';
import { useCallLogStatus } from './callLogContext';
import { useDialer } from './dialerContext';
import './callNotes.css';

/**
 * "Call notes" during the call and in wrap-up: kept in the browser's local storage by call id (so
 * a reload or another Front tab finds them) and sent with the call's summary to Front when the
 * call settles (the agent leaves the ended screen, saves the tags of mandatory tagging, or 30 s
 * pass on the ended screen). Once sent, the notes are shown read-only. Loaded lazily: never on
 * the first screen.
 */
export function CallNotes() {
  const callId = useDialer((s) => s.context.call?.callId ?? null);
  const settled = useDialer((s) => s.matches({ ended: 'settled' }));
  const store = useMemo(() => createCallNotesStore(browserNotesStorage()), []);
  const [text, setText] = useState(() => (callId ? store.read(callId) : ''));
  const fieldId = useId();
  const hintId = useId();
  const logged = useCallLogStatus(callId);

  // Another call on screen: its own notes. Another tab typing: its notes, unless this field is
  // being typed in.
  useEffect(() => {
    setText(callId ? store.read(callId) : '');
    if (!callId) return;
    const onStorage = (event: StorageEvent) => {
      if (event.key !== NOTES_PREFIX + callId) return;
      if (document.activeElement?.id === fieldId) return;
      setText(store.read(callId));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [callId, store, fieldId]);

  if (!callId) return null;
  return (
    <div className="sp-notes">
      <label className="sp-label" htmlFor={fieldId}>
        Call notes
      </label>
      <textarea
        id={fieldId}
        className="sp-input sp-notes__field"
        rows={3}
        maxLength={REPORT_LIMITS.notes}
        value={text}
        readOnly={settled}
        aria-describedby={hintId}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          store.write(callId, next);
        }}
      />
      <p id={hintId} className="sp-muted sp-notes__hint">
        {logged === null
          ? 'Kept in this browser with the call.'
          : logged.kind === 'skipped'
            ? 'Kept in this browser: this call is not logged.'
            : settled
              ? 'Sent with the call’s summary.'
              : 'Sent with the call’s summary to Front when the call is done.'}
      </p>
    </div>
  );
}

export default CallNotes;
