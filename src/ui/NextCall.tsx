import { selectBusy } from '../machine';
import { useDialer, useSend } from './dialerContext';
import { useFormatNumber } from './numbersContext';

/**
 * A number Front asked to call while another call was in progress: kept, not dropped, and
 * offered here once the agent is free.
 */
export function NextCall() {
  const nextCall = useDialer((s) => s.context.nextCall);
  const busy = useDialer(selectBusy);
  const send = useSend();
  const format = useFormatNumber();
  if (!nextCall) return null;
  const shown = nextCall.name ? `${nextCall.name} (${format(nextCall.number)})` : format(nextCall.number);
  const number = nextCall.extension ? `${shown} ext. ${nextCall.extension}` : shown;
  return (
    <section className="sp-notice sp-next-call" aria-label="Next call">
      <p className="sp-grow">
        Call next: <span className="sp-mono">{number}</span>
        {busy && <span className="sp-muted"> (after this call)</span>}
      </p>
      <div className="sp-row">
        {!busy && (
          <button type="button" className="sp-button sp-button--small sp-button--answer" onClick={() => send({ type: 'AGENT.CALL_NEXT' })}>
            Call next
          </button>
        )}
        <button type="button" className="sp-button sp-button--small sp-button--secondary" onClick={() => send({ type: 'AGENT.DISMISS_NEXT' })}>
          Dismiss
        </button>
      </div>
    </section>
  );
}

export default NextCall;
