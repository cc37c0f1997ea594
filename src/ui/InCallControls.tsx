import { useId, useRef, useState } from 'react';
import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { AudioQuality } from './AudioQuality';
import { CallBadges } from './CallBadges';
import { CallTimer } from './CallTimer';
import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { InputError } from './InputError';
import { onEscape, shortcut } from './keyboard';
import { HoldButton, MuteButton } from './MuteButton';
import { Party } from './Party';
import { RecordingControl } from './RecordingControl';
import { ToneKeypad } from './ToneKeypad';
import { TransferForm } from './TransferForm';

type Panel = 'none' | 'keypad' | 'transfer';

/**
 * A call in progress: who, for how long, and what the line lets the agent do with it. Hang up is
 * the first control after the caller's name, in Tab order as on screen.
 */
export function InCallControls() {
  const controls = useDialer(selectControls, shallowEqual);
  const party = useDialer((s) => s.context.activeParticipant ?? s.context.call?.remote ?? null);
  const send = useSend();
  const [panel, setPanel] = useState<Panel>('none');
  const keypadButton = useRef<HTMLButtonElement>(null);
  const transferButton = useRef<HTMLButtonElement>(null);
  const keypadId = useId();
  const transferId = useId();
  const errorId = useId();
  const toggle = (next: Panel) => setPanel((current) => (current === next ? 'none' : next));
  const showKeypad = controls.keypad && panel === 'keypad';
  const showTransfer = controls.transfer && panel === 'transfer';
  // Escape closes the open panel and puts the focus back on the button that opened it.
  const close = () => {
    if (!showKeypad && !showTransfer) return false;
    (showKeypad ? keypadButton : transferButton).current?.focus();
    setPanel('none');
    return true;
  };

  return (
    <section className="sp-screen sp-in-call" aria-label="Call in progress" onKeyDown={onEscape(close)}>
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
          <button
            ref={keypadButton}
            type="button"
            className="sp-button sp-button--secondary"
            aria-expanded={showKeypad}
            aria-controls={keypadId}
            onClick={() => toggle('keypad')}
          >
            <Icon name="keypad" />
            Keypad
          </button>
        )}
        {controls.transfer && (
          <button
            ref={transferButton}
            type="button"
            className="sp-button sp-button--secondary"
            aria-expanded={showTransfer}
            aria-controls={transferId}
            onClick={() => toggle('transfer')}
          >
            <Icon name="transfer" />
            Transfer
          </button>
        )}
      </div>
      {showKeypad && <ToneKeypad id={keypadId} />}
      {showTransfer ? <TransferForm id={transferId} /> : <InputError id={errorId} />}
      <RecordingControl />
    </section>
  );
}
