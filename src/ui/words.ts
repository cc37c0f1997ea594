import type { AudioStats, Availability, LineCommand } from '../telephony';

/** Labels the selectors leave to the UI: how things are said on screen. */

const AVAILABILITY_TEXT: Record<Availability, string> = {
  available: 'Available',
  busy: 'Busy',
  after_call_work: 'After-call work',
  offline: 'Offline',
};

export function describeAvailability(availability: Availability): string {
  return AVAILABILITY_TEXT[availability];
}

export type AudioQuality = 'Good' | 'Fair' | 'Poor';

/** MOS bands as VoIP monitoring tools usually draw them: 4+ good, 3.5+ fair, below that poor. */
export function describeAudioQuality(stats: AudioStats): AudioQuality {
  if (stats.mos >= 4) return 'Good';
  if (stats.mos >= 3.5) return 'Fair';
  return 'Poor';
}

const COMMAND_TEXT: Record<LineCommand['type'], string> = {
  dial: 'The call could not be placed',
  answer: 'The call could not be answered',
  decline: 'The call could not be declined',
  hangUp: 'The call could not be hung up',
  hold: 'The call could not be put on hold',
  resume: 'The call could not be resumed',
  mute: 'The microphone could not be muted',
  unmute: 'The microphone could not be unmuted',
  sendDigits: 'The tones could not be sent',
  startWarmTransfer: 'The transfer could not be started',
  blindTransfer: 'The call could not be transferred',
  conference: 'The conference could not be started',
  swap: 'The parties could not be swapped',
  merge: 'The transfer could not be completed',
  cancelTransfer: 'The transfer could not be cancelled',
  pauseRecording: 'The recording could not be paused',
  resumeRecording: 'The recording could not be resumed',
};

/** A refused line command in words for the agent. */
export function describeCommandFailure(command: LineCommand['type']): string {
  return COMMAND_TEXT[command];
}
