import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { useDialer, useSend } from './dialerContext';

/** Mute / Unmute, when the line can mute in the current state. */
export function MuteButton() {
  const { mute, muted } = useDialer(selectControls, shallowEqual);
  const send = useSend();
  if (!mute) return null;
  return (
    <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: muted ? 'AGENT.UNMUTE' : 'AGENT.MUTE' })}>
      {muted ? 'Unmute' : 'Mute'}
    </button>
  );
}
