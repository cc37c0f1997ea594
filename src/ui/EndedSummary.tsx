import { describeEndReason, selectRecoveryNotice, describeParty, elapsedSeconds, formatDuration, type DialerSnapshot } from '../machine';
import { useDialer, useSend } from './dialerContext';
import type { TagOption } from './Dialer';
import { CallLogStatus } from './CallLogStatus';
import { Icon } from './Icon';
import { NumberEntry } from './NumberEntry';
import { useDial } from './numbersContext';

/** The line's own duration when it reported one, else the machine's timestamps (fixed once ended). */
function selectDuration(snapshot: DialerSnapshot): number | null {
  return snapshot.context.duration ?? elapsedSeconds(snapshot, Date.now());
}

/** Only web links: a recording URL comes from the line and must never become script. */
function safeLink(url: string | null): string | null {
  if (!url) return null;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * How the call ended, said once (the status region announces it, this heading shows it), with what
 * the agent needs to log it, "Call again", and the number field ready for the next call: the
 * focus lands there when the agent was in the plugin.
 */
export function EndedSummary({ tagOptions }: { tagOptions: readonly TagOption[] }) {
  const reason = useDialer((s) => selectRecoveryNotice(s) ?? describeEndReason(s.context.endReason));
  const remote = useDialer((s) => s.context.call?.remote ?? null);
  const duration = useDialer(selectDuration);
  const participants = useDialer((s) => s.context.participants);
  const recordingUrl = useDialer((s) => safeLink(s.context.recordingUrl));
  const tags = useDialer((s) => s.context.tags);
  const callId = useDialer((s) => s.context.call?.callId ?? null);
  const send = useSend();
  const dial = useDial();

  return (
    <section className="sp-screen sp-ended" aria-label="Call summary">
      <h2 className="sp-ended__reason">{reason}</h2>
      <dl className="sp-facts">
        {remote && (
          <div>
            <dt>Call with</dt>
            <dd>{describeParty(remote)}</dd>
          </div>
        )}
        {duration !== null && (
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(duration)}</dd>
          </div>
        )}
        {participants.length > 0 && (
          <div>
            <dt>Participants</dt>
            <dd>
              <ul className="sp-plain-list" aria-label="Participants">
                {participants.map((p, i) => (
                  <li key={`${i}-${p.number}`}>{describeParty(p)}</li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {tags.length > 0 && (
          <div>
            <dt>Tags</dt>
            <dd>
              <ul className="sp-chips" aria-label="Tags">
                {tags.map((tag) => (
                  <li key={tag} className="sp-chip">
                    {tagOptions.find((option) => option.id === tag)?.name ?? tag}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
      <CallLogStatus callId={callId} />
      {recordingUrl && (
        <a className="sp-link" href={recordingUrl} target="_blank" rel="noopener noreferrer">
          Listen to the recording
        </a>
      )}
      {remote && (
        <button type="button" className="sp-button sp-button--secondary" onClick={() => void dial({ raw: remote.number, name: remote.name })}>
          <Icon name="phone" />
          Call again
        </button>
      )}
      <NumberEntry />
    </section>
  );
}
