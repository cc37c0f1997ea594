import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { shortcut } from './keyboard';
import { Party } from './Party';

/** An outbound call that has not been answered yet: who is being called, and a way to give up. */
export function OutgoingCall() {
  const remote = useDialer((s) => s.context.call?.remote ?? null);
  const send = useSend();
  return (
    <section className="sp-screen sp-outgoing" aria-label="Outgoing call">
      <Party party={remote} caption="Outgoing call" focusOnShow />
      <div className="sp-row">
        <button type="button" className="sp-button sp-button--hangup sp-grow" {...shortcut('hangUp', 'Hang up')} onClick={() => send({ type: 'AGENT.HANG_UP' })}>
          <Icon name="hangUp" />
          Hang up
        </button>
      </div>
    </section>
  );
}
