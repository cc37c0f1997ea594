import { useLineChoice } from './lineContext';

// A refused password says one thing, its reason ("The phone server refused the password"): the line
// does not retry it, so nothing here may say "retrying".
const WORDS = { registered: 'Registered', registering: 'Registering...', offline: 'Offline - retrying', refused: null } as const;

/**
 * Which line the agent is on and, for SIP, whether incoming calls can arrive: always visible,
 * apart from the call status, and announced politely when it changes.
 */
export function LineStatus() {
  const choice = useLineChoice(({ kind, registration, connecting }) => ({ kind, registration, connecting }));
  if (!choice) return null;
  const registration = choice.kind === 'sip' ? choice.registration : null;
  return (
    <div className="sp-line" aria-live="polite">
      {choice.kind === 'simulated' && <span className="sp-line__state sp-muted">On the simulated line</span>}
      {registration && (
        <>
          <span className={`sp-line__state sp-line__state--${registration.status}`}>{WORDS[registration.status] ?? registration.reason}</span>
          {registration.status !== 'registered' && WORDS[registration.status] !== null && registration.reason && (
            <span className="sp-line__reason">{registration.reason}</span>
          )}
        </>
      )}
      {choice.connecting && <span className="sp-line__state sp-muted">Connecting...</span>}
    </div>
  );
}
