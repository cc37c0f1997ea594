import type { SnapshotFrom } from 'xstate';
import type { CallFlow, CallStatus, EndReason, Participant, TransferOutcome } from '../telephony/protocol';
import type { DialerMachine } from './dialerMachine';
import type { DialerEvent } from './types';

export type DialerSnapshot = SnapshotFrom<DialerMachine>;

/** The seed's {status, flow} pair for the current snapshot (of the call on screen). */
export function selectStatus(snapshot: DialerSnapshot): { status: CallStatus; flow: CallFlow } {
  const value = snapshot.value as string | Record<string, unknown>;
  if (typeof value === 'string') return { status: value === 'wrapUp' ? 'ended' : (value as CallStatus), flow: 'regular' };
  if ('ended' in value) return { status: 'ended', flow: 'regular' };
  if ('mandatoryTagging' in value) return { status: 'mandatoryTagging', flow: 'regular' };
  const call = (value.inCall as { call?: string | Record<string, unknown> } | undefined)?.call;
  if (typeof call === 'string') return { status: call === 'blindTransfer' ? 'blindTransferring' : (call as CallStatus), flow: 'regular' };
  if (call && 'ringing' in call) return { status: 'ringing', flow: 'regular' };
  if (call && 'conference' in call) return { status: call.conference === 'leaving' ? 'merging' : 'connected', flow: 'conference' };
  const transfer = ((call?.warmTransfer as CallStatus | undefined) ?? 'startingWarmTransfer');
  return { status: transfer, flow: transfer === 'startingWarmTransfer' ? 'regular' : 'warmTransfer' };
}

/** Which screen the dialer shows. */
export type Screen = 'dialpad' | 'outgoing' | 'incoming' | 'inCall' | 'transfer' | 'tagging' | 'ended';

export function selectScreen(snapshot: DialerSnapshot): Screen {
  if (snapshot.hasTag('transfer')) return 'transfer';
  if (snapshot.hasTag('ringing')) return 'incoming';
  if (snapshot.hasTag('wrapUp')) return 'tagging';
  switch (selectStatus(snapshot).status) {
    case 'connecting':
    case 'ringing':
      return 'outgoing';
    case 'accepting':
    case 'connected':
    case 'hanging':
      return 'inCall';
    case 'ended':
      return 'ended';
    default:
      return 'dialpad';
  }
}

/** A party in words: "Maria Garcia (+14155550123)" or just the number. */
export function describeParty(party: Participant | null | undefined): string {
  if (!party) return 'Unknown caller';
  return party.name ? `${party.name} (${party.number})` : party.number;
}

export function partyName(party: Participant | null | undefined): string {
  if (!party) return 'Unknown caller';
  return party.name ?? party.number;
}

const END_REASON_TEXT: Record<EndReason, string> = {
  localHangup: 'You hung up',
  remoteHangup: 'The other party hung up',
  cancelled: 'Call cancelled',
  declined: 'Call declined',
  rejected: 'The call was rejected',
  busy: 'The line was busy',
  noAnswer: 'No answer',
  missed: 'Missed call',
  answeredElsewhere: 'Answered elsewhere',
  connectionLost: 'Connection lost',
  transferred: 'Call transferred',
  failed: 'The call could not be placed',
};

export function describeEndReason(reason: EndReason | null): string {
  return reason ? END_REASON_TEXT[reason] : 'Call ended';
}

/** Said about a call taken over from a page that went away while it was in progress; null otherwise. */
export function selectRecoveryNotice(snapshot: DialerSnapshot): string | null {
  return snapshot.context.recovered === 'live' ? 'The call ended when the page reloaded.' : null;
}

const TRANSFER_OUTCOME_TEXT: Record<TransferOutcome, string> = {
  transferCancelled: 'Transfer cancelled',
  transferDeclined: 'The transfer was declined',
  transferNoAnswer: 'The transfer was not answered',
  transferTargetLeft: 'The transfer target hung up',
  heldPartyLeft: 'The held caller hung up',
  transferFailed: 'The transfer could not be started',
};

export function describeTransferOutcome(outcome: TransferOutcome | null): string | null {
  return outcome ? TRANSFER_OUTCOME_TEXT[outcome] : null;
}

/** The words a screen reader announces: the call on screen, then a waiting caller (call waiting). */
export function selectAnnouncement(snapshot: DialerSnapshot): string {
  const main = announceCall(snapshot);
  const { waiting } = snapshot.context;
  return waiting ? `${main}. Call waiting from ${describeParty(waiting.remote)}` : main;
}

function announceCall(snapshot: DialerSnapshot): string {
  const { context } = snapshot;
  const { status, flow } = selectStatus(snapshot);
  const call = context.call;
  switch (status) {
    case 'idle':
      return 'Ready';
    case 'connecting':
      return `Calling ${call?.to ?? ''}`.trim();
    case 'ringing':
      if (flow === 'warmTransfer') return `Ringing ${partyName(context.transferTarget ?? context.activeParticipant)}`;
      return call?.direction === 'inbound' ? `Incoming call from ${describeParty(call.remote)}` : 'Ringing';
    case 'accepting':
      return 'Answering';
    case 'connected':
      if (flow === 'conference') return `In a conference with ${context.participants.map(partyName).join(' and ') || partyName(context.call?.remote)}`;
      if (flow === 'warmTransfer') {
        return `Talking to ${partyName(context.activeParticipant)}, ${partyName(context.inactiveParticipant)} on hold`;
      }
      if (context.transferOutcome) return `${describeTransferOutcome(context.transferOutcome)}. Connected`;
      return context.onHold ? 'On hold' : 'Connected';
    case 'startingWarmTransfer':
      return `Starting transfer to ${partyName(context.transferTarget)}`;
    case 'swapping':
      return 'Swapping';
    case 'merging':
      return flow === 'conference' ? 'Leaving the conference' : 'Completing transfer';
    case 'blindTransferring':
      return `Transferring to ${partyName(context.transferTarget)}`;
    case 'hanging':
      return 'Hanging up';
    case 'mandatoryTagging':
      return `${selectRecoveryNotice(snapshot) ?? 'Call ended.'} Tag the call to continue`;
    case 'ended':
      return selectRecoveryNotice(snapshot) ?? `Call ended: ${describeEndReason(context.endReason)}`;
  }
}

/** Example intents to ask the machine about: any digits or target would do (see the guards). */
const ASK = {
  hold: { type: 'AGENT.HOLD' },
  resume: { type: 'AGENT.RESUME' },
  mute: { type: 'AGENT.MUTE' },
  unmute: { type: 'AGENT.UNMUTE' },
  keypad: { type: 'AGENT.SEND_DIGITS', digits: '1' },
  transfer: { type: 'AGENT.START_TRANSFER', target: '+10000000000' },
  swap: { type: 'AGENT.SWAP' },
  completeTransfer: { type: 'AGENT.MERGE' },
  blindTransfer: { type: 'AGENT.BLIND_TRANSFER', target: '+10000000000' },
  conference: { type: 'AGENT.CONFERENCE' },
  answerWaiting: { type: 'AGENT.ANSWER_WAITING' },
  declineWaiting: { type: 'AGENT.DECLINE_WAITING' },
  swapCalls: { type: 'AGENT.SWAP_CALLS' },
  cancelTransfer: { type: 'AGENT.CANCEL_TRANSFER' },
  pauseRecording: { type: 'AGENT.PAUSE_RECORDING' },
  resumeRecording: { type: 'AGENT.RESUME_RECORDING' },
  hangUp: { type: 'AGENT.HANG_UP' },
} as const satisfies Record<string, DialerEvent>;

export type Control = keyof typeof ASK;
export type Controls = Record<Control, boolean>;

/** Snapshots never change: several components ask for the same one's controls. */
const CONTROLS = new WeakMap<DialerSnapshot, Controls>();

/**
 * The controls the agent is offered: exactly the intents the machine accepts now
 * (`snapshot.can`), so the UI and the machine cannot disagree.
 */
export function selectControls(snapshot: DialerSnapshot): Controls {
  let controls = CONTROLS.get(snapshot);
  if (controls) return controls;
  controls = {} as Controls;
  for (const control of Object.keys(ASK) as Control[]) controls[control] = snapshot.can(ASK[control]);
  CONTROLS.set(snapshot, controls);
  return controls;
}

/** Seconds since the call connected, as of `now`; null when it never connected. */
export function elapsedSeconds(snapshot: DialerSnapshot, now: number): number | null {
  const call = snapshot.context.call;
  if (!call?.connectedAt) return null;
  const end = call.endedAt ?? now;
  return Math.max(0, Math.floor((end - call.connectedAt) / 1000));
}

/** "0:07", "12:03", "1:02:03". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** True while no call can be made or received (a call in progress or wrap-up). */
export function selectBusy(snapshot: DialerSnapshot): boolean {
  return snapshot.hasTag('busy');
}
