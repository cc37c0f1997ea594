import type { SnapshotFrom } from 'xstate';
import type { CallFlow, CallStatus, EndReason, Participant, TransferOutcome } from '../telephony/protocol';
import type { DialerMachine } from './dialerMachine';

export type DialerSnapshot = SnapshotFrom<DialerMachine>;

/** The seed's {status, flow} pair for the current snapshot. */
export function selectStatus(snapshot: DialerSnapshot): { status: CallStatus; flow: CallFlow } {
  if (snapshot.matches({ warmTransfer: 'startingWarmTransfer' })) return { status: 'startingWarmTransfer', flow: 'regular' };
  if (snapshot.matches({ warmTransfer: 'ringing' })) return { status: 'ringing', flow: 'warmTransfer' };
  if (snapshot.matches({ warmTransfer: 'connected' })) return { status: 'connected', flow: 'warmTransfer' };
  if (snapshot.matches({ warmTransfer: 'swapping' })) return { status: 'swapping', flow: 'warmTransfer' };
  if (snapshot.matches({ warmTransfer: 'merging' })) return { status: 'merging', flow: 'warmTransfer' };
  for (const status of ['idle', 'connecting', 'ringing', 'accepting', 'connected', 'hanging', 'mandatoryTagging', 'ended'] as const) {
    if (snapshot.matches(status)) return { status, flow: 'regular' };
  }
  return { status: 'idle', flow: 'regular' };
}

/** Which screen the dialer shows. */
export type Screen = 'dialpad' | 'outgoing' | 'incoming' | 'inCall' | 'transfer' | 'tagging' | 'ended';

export function selectScreen(snapshot: DialerSnapshot): Screen {
  if (snapshot.matches('warmTransfer')) return 'transfer';
  const { status } = selectStatus(snapshot);
  switch (status) {
    case 'connecting':
      return 'outgoing';
    case 'ringing':
      return snapshot.context.call?.direction === 'inbound' ? 'incoming' : 'outgoing';
    case 'accepting':
    case 'connected':
    case 'hanging':
      return 'inCall';
    case 'mandatoryTagging':
      return 'tagging';
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

/** The words a screen reader announces for the current status. */
export function selectAnnouncement(snapshot: DialerSnapshot): string {
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
      return 'Completing transfer';
    case 'hanging':
      return 'Hanging up';
    case 'mandatoryTagging':
      return 'Call ended. Tag the call to continue';
    case 'ended':
      return `Call ended: ${describeEndReason(context.endReason)}`;
  }
}

/** What the line lets the agent do in this state. */
export function selectControls(snapshot: DialerSnapshot) {
  const { capabilities, onHold, muted, recording } = snapshot.context;
  const connected = snapshot.matches('connected');
  const transfer = snapshot.matches('warmTransfer');
  return {
    hold: capabilities.hold && connected,
    onHold,
    mute: capabilities.mute && (connected || transfer),
    muted,
    keypad: capabilities.dtmf && (connected || transfer),
    transfer: capabilities.warmTransfer && connected && !onHold,
    swap: snapshot.matches({ warmTransfer: 'connected' }),
    completeTransfer: snapshot.matches({ warmTransfer: 'connected' }),
    cancelTransfer: transfer && !snapshot.matches({ warmTransfer: 'merging' }),
    recording: capabilities.recording && connected && recording !== null ? recording : null,
  };
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
  const { status } = selectStatus(snapshot);
  return status !== 'idle' && status !== 'ended';
}
