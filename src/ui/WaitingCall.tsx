import { shallowEqual } from '@xstate/react';
import { describeParty, selectControls, type DialerSnapshot } from '../machine';
import { useDialer, useSend } from './dialerContext';

/** Why a waiting call cannot be answered yet, in words; null when it can. */
function selectWaitingNote(snapshot: DialerSnapshot): string | null {
  if (snapshot.can({ type: 'AGENT.ANSWER_WAITING' })) return null;
  if (snapshot.hasTag('wrapUp')) return 'Tag the call that ended to answer it.';
  if (snapshot.hasTag('transfer')) return 'Finish or cancel the transfer to answer it.';
  return 'You can answer it once your call is connected.';
}

/**
 * The other call (issue 12): a second caller ringing during a call or wrap-up ("Answer and hold",
 * "Decline waiting call"), or the answered call on hold ("Swap calls"). Shown above the screen of
 * the call on screen, whatever that is.
 */
export function WaitingCall() {
  const waiting = useDialer((s) => s.context.waiting);
  const held = useDialer((s) => s.context.held?.call.remote ?? null);
  const heldLeft = useDialer((s) => s.context.lastHeldEnd);
  const controls = useDialer(selectControls, shallowEqual);
  const note = useDialer(selectWaitingNote);
  const send = useSend();

  return (
    <>
      {waiting && (
        <section className="sp-notice sp-waiting-call" aria-label="Call waiting">
          <p className="sp-grow">
            Call waiting: <strong>{describeParty(waiting.remote)}</strong>
            {note && <span className="sp-muted"> {note}</span>}
          </p>
          <div className="sp-row">
            {controls.answerWaiting && (
              <button type="button" className="sp-button sp-button--small sp-button--answer" onClick={() => send({ type: 'AGENT.ANSWER_WAITING' })}>
                Answer and hold
              </button>
            )}
            {controls.declineWaiting && (
              <button type="button" className="sp-button sp-button--small sp-button--secondary" onClick={() => send({ type: 'AGENT.DECLINE_WAITING' })}>
                Decline waiting call
              </button>
            )}
          </div>
        </section>
      )}
      {held && (
        <section className="sp-notice sp-held-call" aria-label="Call on hold">
          <p className="sp-grow">
            On hold: <strong>{describeParty(held)}</strong>
          </p>
          {controls.swapCalls && (
            <button type="button" className="sp-button sp-button--small sp-button--secondary" onClick={() => send({ type: 'AGENT.SWAP_CALLS' })}>
              Swap calls
            </button>
          )}
        </section>
      )}
      {!held && heldLeft && (
        <p className="sp-notice sp-muted" role="status">
          {describeParty(heldLeft.party)} hung up while on hold.
        </p>
      )}
    </>
  );
}
