import { describeTransferOutcome } from '../machine';
import { useDialer } from './dialerContext';
import { describeCommandFailure } from './words';

/** Short notices about the call: a command the line refused, how a warm transfer ended. */
export function Notices() {
  const lastError = useDialer((s) => s.context.lastError);
  const transferOutcome = useDialer((s) => describeTransferOutcome(s.context.transferOutcome));
  return (
    <>
      {lastError && (
        <p className="sp-notice sp-notice--error" role="alert">
          {describeCommandFailure(lastError.command)}. {lastError.message}
        </p>
      )}
      {/* The status region already announces the outcome; this is the visible trace of it. */}
      {transferOutcome && <p className="sp-notice">{transferOutcome}</p>}
    </>
  );
}
