import { useDialer, useSend } from './dialerContext';
import { Party } from './Party';

/** A call ringing in: who is calling, Answer and Decline. Focus lands on Answer. */
export function IncomingCall() {
  const remote = useDialer((s) => s.context.call?.remote ?? null);
  const send = useSend();
  return (
    <section className="sp-screen sp-incoming" aria-label="Incoming call">
      <Party party={remote} caption="Incoming call" />
      <div className="sp-row">
        <button type="button" className="sp-button sp-button--hangup sp-grow" onClick={() => send({ type: 'AGENT.DECLINE' })}>
          Decline
        </button>
        <button type="button" className="sp-button sp-button--answer sp-grow" onClick={() => send({ type: 'AGENT.ANSWER' })} data-autofocus>
          Answer
        </button>
      </div>
    </section>
  );
}
