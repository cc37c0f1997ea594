import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { useDialer, useSend } from './dialerContext';
import { Icon } from './Icon';
import { shortcut } from './keyboard';

/** Mute, a toggle (aria-pressed) when the line can mute in the current state. */
export function MuteButton() {
  const { mute, unmute } = useDialer(selectControls, shallowEqual);
  const send = useSend();
  if (!mute && !unmute) return null;
  return (
    <button
      type="button"
      className="sp-button sp-button--secondary sp-button--toggle"
      aria-pressed={unmute}
      {...shortcut('mute', unmute ? 'Unmute' : 'Mute')}
      onClick={() => send({ type: unmute ? 'AGENT.UNMUTE' : 'AGENT.MUTE' })}
    >
      <Icon name="mic" />
      Mute
    </button>
  );
}

/** Hold, a toggle (aria-pressed): pressed while the call is on hold, pressing it again resumes. */
export function HoldButton() {
  const { hold, resume } = useDialer(selectControls, shallowEqual);
  const send = useSend();
  if (!hold && !resume) return null;
  return (
    <button
      type="button"
      className="sp-button sp-button--secondary sp-button--toggle"
      aria-pressed={resume}
      {...shortcut('hold', resume ? 'Resume' : 'Hold')}
      onClick={() => send({ type: resume ? 'AGENT.RESUME' : 'AGENT.HOLD' })}
    >
      <Icon name="pause" />
      Hold
    </button>
  );
}
