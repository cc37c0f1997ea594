import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { shortcut } from './keyboard';
import { Party } from './Party';

/**
 * A call ringing in: who is calling, Answer and Decline. It never takes the focus from Front; a
 * teammate already in the plugin lands on the caller's name (not on Answer, so a key they were
 * typing answers nothing), Answer is the next Tab stop, and Alt+A answers from anywhere in it.
 */
export function IncomingCall() {
  const remote = useDialer((s) => s.context.call?.remote ?? null);
  const send = useSend();
  return (
    <section className="sp-screen sp-incoming" aria-label="Incoming call">
      <Party party={remote} caption="Incoming call" focusOnShow />
      <div className="sp-row">
        <button type="button" className="sp-button sp-button--answer sp-grow" {...shortcut('answer', 'Answer')} onClick={() => send({ type: 'AGENT.ANSWER' })}>
          <Icon name="phone" />
          Answer
        </button>
        <button type="button" className="sp-button sp-button--hangup sp-grow" {...shortcut('decline', 'Decline')} onClick={() => send({ type: 'AGENT.DECLINE' })}>
          <Icon name="hangUp" />
          Decline
        </button>
      </div>
    </section>
  );
}
