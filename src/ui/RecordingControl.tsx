import { shallowEqual } from '@xstate/react';
import { selectControls } from '../machine';
import { useDialer, useSend } from './dialerContext';

/** Whether the call is being recorded, with Pause / Resume when the line allows it. */
export function RecordingControl() {
  const { pauseRecording, resumeRecording } = useDialer(selectControls, shallowEqual);
  const send = useSend();
  if (!pauseRecording && !resumeRecording) return null;
  const paused = resumeRecording;
  return (
    <div className="sp-recording" data-recording={paused ? 'paused' : 'recording'}>
      <span className="sp-recording__dot" aria-hidden="true" />
      <span className="sp-grow">{paused ? 'Recording paused' : 'Recording'}</span>
      <button
        type="button"
        className="sp-button sp-button--small sp-button--secondary"
        onClick={() => send({ type: paused ? 'AGENT.RESUME_RECORDING' : 'AGENT.PAUSE_RECORDING' })}
      >
        {paused ? 'Resume recording' : 'Pause recording'}
      </button>
    </div>
  );
}
