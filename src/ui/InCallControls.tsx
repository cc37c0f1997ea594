import { useId, useState } from 'react';
import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { AudioQuality } from './AudioQuality';
import { CallTimer } from './CallTimer';
import { useDialer, useSend } from './dialerContext';
import { InputError } from './InputError';
import { MuteButton } from './MuteButton';
import { Party } from './Party';
import { RecordingControl } from './RecordingControl';
import { ToneKeypad } from './ToneKeypad';
import { TransferForm } from './TransferForm';

type Panel = 'none' | 'keypad' | 'transfer';

/** A call in progress: who, for how long, and what the line lets the agent do with it. */
export function InCallControls() {
  const controls = useDialer(selectControls, shallowEqual);
  const party = useDialer((s) => s.context.activeParticipant ?? s.context.call?.remote ?? null);
  const send = useSend();
  const [panel, setPanel] = useState<Panel>('none');
  const keypadId = useId();
  const transferId = useId();
  const errorId = useId();
  const toggle = (next: Panel) => setPanel((current) => (current === next ? 'none' : next));
  const showKeypad = controls.keypad && panel === 'keypad';
  const showTransfer = controls.transfer && panel === 'transfer';

  return (
    <section className="sp-screen sp-in-call" aria-label="Call in progress">
      <Party party={party} focusOnShow />
      <CallTimer />
      <AudioQuality />
      <RecordingControl />
      <div className="sp-controls">
        <MuteButton />
        {controls.hold && (
          <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.HOLD' })}>
            Hold
          </button>
        )}
        {controls.resume && (
          <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.RESUME' })}>
            Resume
          </button>
        )}
        {controls.keypad && (
          <button type="button" className="sp-button sp-button--secondary" aria-expanded={showKeypad} aria-controls={keypadId} onClick={() => toggle('keypad')}>
            Keypad
          </button>
        )}
        {controls.transfer && (
          <button type="button" className="sp-button sp-button--secondary" aria-expanded={showTransfer} aria-controls={transferId} onClick={() => toggle('transfer')}>
            Transfer
          </button>
        )}
      </div>
      {showKeypad && <ToneKeypad id={keypadId} />}
      {showTransfer ? <TransferForm id={transferId} /> : <InputError id={errorId} />}
      {controls.hangUp && (
        <button type="button" className="sp-button sp-button--hangup" onClick={() => send({ type: 'AGENT.HANG_UP' })}>
          Hang up
        </button>
      )}
    </section>
  );
}
