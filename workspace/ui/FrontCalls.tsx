import { useEffect, useState } from 'react';

/** A call as the Channel API stand-in recorded it (server/standin: GET /_standin/calls). */
interface StandinCall {
  externalCallId: string;
  direction: 'inbound' | 'outbound';
  party: { handle: string; name?: string };
  status: string;
  timeline: { status: string; receivedAt: number }[];
  summaries: { content: string }[];
}

const FAULTS = [
  { label: 'Front healthy', body: { rate: 0 } },
  { label: 'Fail 1 in 3 (503)', body: { rate: 1 / 3, kinds: ['503'] } },
  { label: '429 with Retry-After', body: { rate: 1 / 3, kinds: ['429'], retryAfterSeconds: 2 } },
  { label: 'Time out (hang)', body: { rate: 1 / 3, kinds: ['hang'] } },
] as const;

/**
 * The calls that landed in "Front": the stand-in's conversations with their status timeline, and
 * fault switches to watch the call log retry. Only under `npm start` (which runs the stand-in and
 * proxies /_standin); hidden otherwise.
 */
export function FrontCalls() {
  const [calls, setCalls] = useState<StandinCall[] | null>(null);
  const [fault, setFault] = useState<string>('Front healthy');
  useEffect(() => {
    let live = true;
    const poll = () =>
      fetch('/_standin/calls')
        .then((r) => (r.ok ? (r.json() as Promise<{ calls: StandinCall[] }>) : null))
        .then((body) => live && setCalls(body ? body.calls : null))
        .catch(() => live && setCalls(null));
    void poll();
    const timer = setInterval(poll, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (calls === null) return null;

  const setFaults = (label: string, body: object) => {
    setFault(label);
    void fetch('/_standin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  };

  return (
    <section className="ws-panel" aria-label="Calls in Front">
      <h2>Calls in Front (Channel API stand-in)</h2>
      <div role="group" aria-label="Front API faults">
        {FAULTS.map(({ label, body }) => (
          <button key={label} type="button" aria-pressed={fault === label} onClick={() => setFaults(label, body)}>
            {label}
          </button>
        ))}
      </div>
      {calls.length === 0 ? (
        <p>No call logged yet.</p>
      ) : (
        <ul data-testid="front-calls">
          {[...calls].reverse().map((call) => (
            <li key={call.externalCallId}>
              <strong>
                {call.direction === 'inbound' ? 'From' : 'To'} {call.party.name ?? call.party.handle}
              </strong>{' '}
              — {call.status}
              <ol aria-label="Status timeline">
                {call.timeline.map((entry, i) => (
                  <li key={i}>
                    {entry.status} <small>{new Date(entry.receivedAt).toLocaleTimeString()}</small>
                  </li>
                ))}
              </ol>
              {call.summaries.map((summary, i) => (
                <p key={i}>{summary.content}</p>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
