import { useId } from 'react';
import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { AudioQuality } from './AudioQuality';
import { CallBadges } from './CallBadges';
import { CallTimer } from './CallTimer';
import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { InputError } from './InputError';
import { shortcut } from './keyboard';
import { HoldButton, MuteButton } from './MuteButton';
import { Party } from './Party';
import { RecordingControl } from './RecordingControl';
import { ToneKeypad } from './ToneKeypad';
import { TransferForm } from './TransferForm';
import { usePanels } from './usePanels';

/**
 * A call in progress: who, for how long, and what the line lets the agent do with it. Hang up is
 * the first control after the caller's name, in Tab order as on screen.
 */
export function InCallControls() {
  const controls = useDialer(selectControls, shallowEqual);
  const party = useDialer((s) => s.context.activeParticipant ?? s.context.call?.remote ?? null);
  const send = useSend();
  const panels = usePanels<'keypad' | 'transfer'>();
  const errorId = useId();
  const showKeypad = controls.keypad && panels.open === 'keypad';
  const showTransfer = controls.transfer && panels.open === 'transfer';

  return (
    <section className="sp-screen sp-in-call" aria-label="Call in progress" onKeyDown={panels.onKeyDown}>
      <Party party={party} focusOnShow />
      <CallTimer />
      <AudioQuality />
      <CallBadges />
      {controls.hangUp && (
        <button type="button" className="sp-button sp-button--hangup" {...shortcut('hangUp', 'Hang up')} onClick={() => send({ type: 'AGENT.HANG_UP' })}>
          <Icon name="hangUp" />
          Hang up
        </button>
      )}
      <div className="sp-controls">
        <MuteButton />
        <HoldButton />
        {controls.keypad && (
          <button type="button" className="sp-button sp-button--secondary" {...panels.button('keypad')}>
            <Icon name="keypad" />
            Keypad
          </button>
        )}
        {controls.transfer && (
          <button type="button" className="sp-button sp-button--secondary" {...panels.button('transfer')}>
            <Icon name="transfer" />
            Transfer
          </button>
        )}
      </div>
      {showKeypad && <ToneKeypad id={panels.id('keypad')} />}
      {showTransfer ? <TransferForm id={panels.id('transfer')} /> : <InputError id={errorId} />}
      <RecordingControl />
    </section>
  );
}
