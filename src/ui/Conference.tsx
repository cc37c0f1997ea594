import { shallowEqual } from '@xstate/react';
import { selectControls, selectStatus, type DialerSnapshot } from '../machine';
import type { Participant } from '../telephony';
import { CallTimer } from './CallTimer';
import { useDialer, useSend } from './dialerContext';
import { MuteButton } from './MuteButton';
import { Party } from './Party';

/** Who is in the conference: the line's participants, else the first party and the transfer target. */
function selectMembers(snapshot: DialerSnapshot): Participant[] {
  const { context } = snapshot;
  if (context.participants.length >= 2) return context.participants;
  return [context.call?.remote, context.transferTarget].filter((p): p is Participant => Boolean(p));
}

/**
 * A three-way call (issue 12): the agent, the original party and the transfer target. "Leave
 * conference" hands the two parties to each other (the transfer completes); "Hang up" ends it for
 * everyone.
 */
export function Conference() {
  const members = useDialer(selectMembers, shallowEqual);
  const controls = useDialer(selectControls, shallowEqual);
  const leaving = useDialer((s) => selectStatus(s).status === 'merging');
  const send = useSend();
  return (
    <section className="sp-screen sp-transfer" aria-label="Conference">
      <div role="group" aria-label="In the conference">
        {members.map((member, index) => (
          <Party key={member.number} party={member} caption={index === 0 ? 'In the conference' : undefined} focusOnShow={index === 0} />
        ))}
      </div>
      <CallTimer />
      <div className="sp-controls">
        <MuteButton />
      </div>
      {controls.completeTransfer && (
        <button type="button" className="sp-button sp-button--primary" onClick={() => send({ type: 'AGENT.MERGE' })}>
          Leave conference
        </button>
      )}
      {leaving && <p className="sp-muted">Leaving the conference...</p>}
      {controls.hangUp && (
        <button type="button" className="sp-button sp-button--hangup" onClick={() => send({ type: 'AGENT.HANG_UP' })}>
          Hang up
        </button>
      )}
    </section>
  );
}
