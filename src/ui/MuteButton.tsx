import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { useDialer, useSend } from './dialerContext';
import { Icon, type IconName } from './Icon';
import { shortcut, type Shortcut } from './keyboard';

/** Mute, a toggle (aria-pressed) when the line can mute in the current state. */
export function MuteButton() {
  const { mute, unmute } = useDialer(selectControls, shallowEqual);
  if (!mute && !unmute) return null;
  return <CallToggle label="Mute" undo="Unmute" icon="mic" keys="mute" pressed={unmute} intent={unmute ? 'AGENT.UNMUTE' : 'AGENT.MUTE'} />;
}

/** Hold, a toggle (aria-pressed): pressed while the call is on hold, pressing it again resumes. */
export function HoldButton() {
  const { hold, resume } = useDialer(selectControls, shallowEqual);
  if (!hold && !resume) return null;
  return <CallToggle label="Hold" undo="Resume" icon="pause" keys="hold" pressed={resume} intent={resume ? 'AGENT.RESUME' : 'AGENT.HOLD'} />;
}

/** One label in both states (what a screen reader expects of a toggle); the title says what pressing does now. */
function CallToggle(props: { label: string; undo: string; icon: IconName; keys: Shortcut; pressed: boolean; intent: 'AGENT.MUTE' | 'AGENT.UNMUTE' | 'AGENT.HOLD' | 'AGENT.RESUME' }) {
  const send = useSend();
  return (
    <button
      type="button"
      className="sp-button sp-button--secondary sp-button--toggle"
      aria-pressed={props.pressed}
      {...shortcut(props.keys, props.pressed ? props.undo : props.label)}
      onClick={() => send({ type: props.intent })}
    >
      <Icon name={props.icon} />
      {props.label}
    </button>
  );
}
