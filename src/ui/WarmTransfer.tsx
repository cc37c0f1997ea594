import { shallowEqual } from '@xstate/react';
import { selectControls, selectStatus, type DialerSnapshot } from '../machine';
import { CallTimer } from './CallTimer';
import { Conference } from './Conference';
import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { shortcut } from './keyboard';
import { MuteButton } from './MuteButton';
import { Party } from './Party';
import { ToneKeypad } from './ToneKeypad';
import { usePanels } from './usePanels';

/** Until the line reports who is active and who is held, the request and the first call stand in. */
function selectParties(snapshot: DialerSnapshot) {
  const { context } = snapshot;
  const { status } = selectStatus(snapshot);
  const starting = status === 'startingWarmTransfer';
  return {
    active: starting ? context.transferTarget : (context.activeParticipant ?? context.transferTarget),
    held: starting ? (context.call?.remote ?? null) : (context.inactiveParticipant ?? context.call?.remote ?? null),
    calling: starting || status === 'ringing',
  };
}

/**
 * A warm transfer: the agent consults the transfer target while the first party waits on hold.
 * Both parties are on screen, with Swap, Complete transfer and Cancel transfer.
 */
export function WarmTransfer() {
  const conference = useDialer((s) => s.hasTag('conference'));
  return conference ? <Conference /> : <Consultation />;
}

function Consultation() {
  const controls = useDialer(selectControls, shallowEqual);
  const { active, held, calling } = useDialer(selectParties, shallowEqual);
  const send = useSend();
  const panels = usePanels<'keypad'>();
  const showKeypad = controls.keypad && panels.open === 'keypad';

  return (
    <section className="sp-screen sp-transfer" aria-label="Warm transfer" onKeyDown={panels.onKeyDown}>
      <div className="sp-transfer__active" role="group" aria-label={calling ? 'Calling' : 'Talking to'}>
        <Party party={active} caption={calling ? 'Calling' : 'Talking to'} focusOnShow />
      </div>
      <div className="sp-transfer__held" role="group" aria-label="On hold">
        <Party party={held} caption="On hold" />
      </div>
      <CallTimer />
      <div className="sp-controls">
        {controls.swap && (
          <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.SWAP' })}>
            Swap
          </button>
        )}
        <MuteButton />
        {controls.keypad && (
          <button type="button" className="sp-button sp-button--secondary" {...panels.button('keypad')}>
            <Icon name="keypad" />
            Keypad
          </button>
        )}
      </div>
      {showKeypad && <ToneKeypad id={panels.id('keypad')} />}
      {controls.completeTransfer && (
        <button type="button" className="sp-button sp-button--primary" onClick={() => send({ type: 'AGENT.MERGE' })}>
          Complete transfer
        </button>
      )}
      {controls.conference && (
        <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.CONFERENCE' })}>
          Conference
        </button>
      )}
      {controls.cancelTransfer && (
        <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.CANCEL_TRANSFER' })}>
          Cancel transfer
        </button>
      )}
      {controls.hangUp && (
        <button type="button" className="sp-button sp-button--hangup" {...shortcut('hangUp', 'Hang up')} onClick={() => send({ type: 'AGENT.HANG_UP' })}>
          <Icon name="hangUp" />
          Hang up
        </button>
      )}
    </section>
  );
}
