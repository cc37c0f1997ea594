import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { useDialer, useSend } from './dialerContext';

/** Mute / Unmute, when the line can mute in the current state. */
export function MuteButton() {
  const { mute, unmute } = useDialer(selectControls, shallowEqual);
  const send = useSend();
  if (!mute && !unmute) return null;
  return (
    <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: unmute ? 'AGENT.UNMUTE' : 'AGENT.MUTE' })}>
      {unmute ? 'Unmute' : 'Mute'}
    </button>
  );
}
