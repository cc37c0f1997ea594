import { useEffect, useState } from 'react';
import { formatDuration } from '../machine/selectors';
import { onRecentCallsChanged, recentCallsStore, type RecentCall, type RecentOutcome } from '../recents';
import { useFrontOpenUrl } from './frontContext';
import { useDial, useFormatNumber } from './numbersContext';
import './recentCalls.css';

const OUTCOME_WORDS: Record<RecentOutcome, string> = {
  answered: 'Answered',
  missed: 'Missed',
  declined: 'Declined',
  busy: 'Busy',
  failed: 'Failed',
};

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * This teammate's last 100 calls, newest first: direction, name or number, when, duration and
 * outcome; "Call back <name or number>" dials through the same number reader as any dial, and a
 * call with a Front conversation can open it. Loaded lazily with src/recents.
 */
export function RecentCallsView({ id, teammateId, onClose }: { id: string; teammateId: string; onClose: () => void }) {
  const [calls, setCalls] = useState<readonly RecentCall[] | null>(null);
  const dial = useDial();
  const format = useFormatNumber();
  const openUrl = useFrontOpenUrl();
  // Front opens its own conversation links inside the app.
  const openConversation = openUrl && ((id: string) => openUrl(`https://app.frontapp.com/open/${encodeURIComponent(id)}`));

  useEffect(() => {
    let live = true;
    const load = () =>
      void recentCallsStore()
        .then((store) => store.list(teammateId))
        .then((list) => live && setCalls(list));
    load();
    const stop = onRecentCallsChanged(load);
    return () => {
      live = false;
      stop();
    };
  }, [teammateId]);

  return (
    <section id={id} className="sp-recents__view" aria-label="Recent calls">
      <div className="sp-row">
        <h2 className="sp-recents__title sp-grow">Recent calls</h2>
        <button type="button" className="sp-button sp-button--small sp-button--secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {calls === null ? (
        <p className="sp-muted">Loading recent calls…</p>
      ) : calls.length === 0 ? (
        <p className="sp-muted">No calls yet.</p>
      ) : (
        <ul className="sp-plain-list sp-recents__list">
          {calls.map((call) => {
            const who = call.name ?? format(call.number);
            return (
              <li key={call.callId} className={`sp-recents__item sp-recents__item--${call.outcome}`}>
                <p className="sp-recents__who">
                  <span className="sp-recents__direction">{call.direction === 'inbound' ? 'Incoming' : 'Outgoing'}</span>{' '}
                  <strong>{who}</strong>
                  {call.name && <span className="sp-muted"> {format(call.number)}</span>}
                </p>
                <p className="sp-recents__facts">
                  <span>{OUTCOME_WORDS[call.outcome]}</span>
                  {' · '}
                  <time dateTime={new Date(call.endedAt).toISOString()}>{when.format(call.endedAt)}</time>
                  {call.durationSeconds !== null && <span>{` · ${formatDuration(call.durationSeconds)}`}</span>}
                </p>
                <div className="sp-row">
                  <button
                    type="button"
                    className="sp-button sp-button--small sp-button--answer"
                    onClick={() => {
                      void dial({ raw: call.number, name: call.name });
                      onClose();
                    }}
                  >
                    Call back {who}
                  </button>
                  {call.conversationId && openConversation && (
                    <button type="button" className="sp-button sp-button--small sp-button--secondary" onClick={() => openConversation(call.conversationId!)}>
                      Open conversation
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
