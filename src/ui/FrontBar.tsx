import { selectBusy } from '../machine';
import { useDialer } from './dialerContext';
import { useFrontCall, useFrontSession } from './frontContext';

/**
 * Where the plugin stands with Front: the teammate it logs calls for, a plain note when it runs
 * outside Front, and a one-click call to the open conversation's phone recipient.
 */
export function FrontBar() {
  const session = useFrontSession(({ host, teammate, unavailableReason, conversation }) => ({
    host,
    teammate,
    unavailableReason,
    recipient: conversation?.phoneRecipient ?? null,
  }));
  const call = useFrontCall();
  const busy = useDialer(selectBusy);
  const { recipient } = session;

  return (
    <div className="sp-front">
      {session.host === 'connected' && session.teammate && (
        <p className="sp-muted sp-front__teammate">Signed in as {session.teammate.name || session.teammate.email}</p>
      )}
      {session.host === 'unavailable' && (
        <p className="sp-note" role="note">
          Not running inside Front ({session.unavailableReason ?? 'no answer'}). Calls still work; they are not linked to
          Front conversations.
        </p>
      )}
      {recipient && call && !busy && (
        <button type="button" className="sp-button sp-button--secondary sp-front__call" onClick={() => call(recipient.handle)}>
          Call {recipient.name ?? recipient.handle}
        </button>
      )}
    </div>
  );
}
