import type {
  AudioStats,
  Availability,
  CallFlow,
  EndReason,
  LineEvent,
  Participant,
  TransferOutcome,
} from '../telephony/protocol';
import type { LineCapabilities, LineCommand, LineErrorCode } from '../telephony/line';

export type Direction = 'inbound' | 'outbound';

/** The call on screen. `from` / `to` always describe the first leg, as the seed requires. */
export interface CallInfo {
  readonly callId: string;
  readonly direction: Direction;
  readonly from: string;
  readonly to: string;
  /** The customer: the callee of an outbound call, the caller of an inbound one. */
  readonly remote: Participant;
  /** Epoch ms when the agent started the call or it started ringing. */
  readonly startedAt: number;
  readonly connectedAt: number | null;
  readonly endedAt: number | null;
}

export interface DialerSettings {
  /** The seed's mandatory_tagging_activated: a connected call must be tagged before the next one. */
  readonly mandatoryTagging: boolean;
}

export interface DialerInput {
  readonly settings?: Partial<DialerSettings>;
  readonly capabilities: LineCapabilities;
}

export interface DialerContext {
  settings: DialerSettings;
  capabilities: LineCapabilities;
  call: CallInfo | null;
  /** An inbound call the line announced (DIALER.SYNC) that has not started ringing yet. */
  announced: CallInfo | null;
  /** Who the agent is talking to and who is held; from DIALER.SYNC. */
  activeParticipant: Participant | null;
  inactiveParticipant: Participant | null;
  /** The target the agent asked to transfer to, until the line reports participants. */
  transferTarget: Participant | null;
  /** Whether the transfer target ever answered (decides PARTICIPANT_REMOVED). */
  transferTargetJoined: boolean;
  onHold: boolean;
  muted: boolean;
  recording: 'recording' | 'paused' | null;
  recordingUrl: string | null;
  audioStats: AudioStats | null;
  /** Seconds, as the line's final DIALER.SYNC reports them. */
  duration: number | null;
  participants: Participant[];
  digitsSent: string;
  tags: string[];
  endReason: EndReason | null;
  /** The latest warm-transfer outcome, shown until the call changes. */
  transferOutcome: TransferOutcome | null;
  availability: Availability;
  /** A number Front asked to call while another call was in progress: offered as "call next". */
  nextCall: { number: string; extension?: string } | null;
  /** An extension to send as tones once the call connects (from "+1 415 555 0100 ext. 42"). */
  pendingExtension: string | null;
  /** A refused number or intent, in words for the agent. */
  inputError: string | null;
  /** The last command the line refused. */
  lastError: { command: LineCommand['type']; code: LineErrorCode | 'unknown'; message: string } | null;
}

/** What the agent asks for: sent by the UI, never carrying call state. */
export type AgentIntent =
  | { type: 'AGENT.DIAL'; number: string }
  | { type: 'AGENT.ANSWER' }
  | { type: 'AGENT.DECLINE' }
  | { type: 'AGENT.HANG_UP' }
  | { type: 'AGENT.HOLD' }
  | { type: 'AGENT.RESUME' }
  | { type: 'AGENT.MUTE' }
  | { type: 'AGENT.UNMUTE' }
  | { type: 'AGENT.SEND_DIGITS'; digits: string }
  | { type: 'AGENT.START_TRANSFER'; target: string; name?: string }
  | { type: 'AGENT.SWAP' }
  | { type: 'AGENT.MERGE' }
  | { type: 'AGENT.CANCEL_TRANSFER' }
  | { type: 'AGENT.PAUSE_RECORDING' }
  | { type: 'AGENT.RESUME_RECORDING' }
  | { type: 'AGENT.SAVE_TAGS'; tags: string[] }
  | { type: 'AGENT.RESET' }
  | { type: 'AGENT.CLEAR_ERROR' }
  | { type: 'AGENT.CALL_NEXT' }
  | { type: 'AGENT.DISMISS_NEXT' }
  | { type: 'SETTINGS.UPDATE'; settings: Partial<DialerSettings> };

/** What the line bridge reports besides the protocol's own events. */
export type BridgeEvent =
  | LineEvent
  | { type: 'LINE.MALFORMED'; problems: string[] }
  | {
      type: 'LINE.COMMAND_FAILED';
      command: LineCommand['type'];
      callId: string;
      code: LineErrorCode | 'unknown';
      message: string;
    };

/** What the Front host asks for: the Call button, already normalised by the phone module. */
export type HostIntent =
  | { type: 'FRONT.DIAL_REQUEST'; number: string; extension?: string }
  | { type: 'FRONT.DIAL_REFUSED'; message: string };

/** The app switched lines (simulated <-> SIP) while no call was in progress. */
export type LineSwitched = { type: 'LINE.SWITCHED'; capabilities: LineCapabilities };

export type DialerEvent = AgentIntent | HostIntent | BridgeEvent | LineSwitched;

type Detail<T> = { callId: string } & T;

/** Telephony events other code can subscribe to, after the Salesforce voice toolkit. */
export type TelephonyEvent =
  | { type: 'CALL_STARTED'; detail: Detail<{ callType: Direction; participant: string; name?: string }> }
  | { type: 'CALL_CONNECTED'; detail: Detail<{ callType: Direction; participant: string }> }
  | { type: 'CALL_ENDED'; detail: Detail<{ callType: Direction; participant: string; reason: EndReason }> }
  | { type: 'HOLD'; detail: Detail<{}> }
  | { type: 'RESUME'; detail: Detail<{}> }
  | { type: 'MUTE'; detail: Detail<{}> }
  | { type: 'UNMUTE'; detail: Detail<{}> }
  | { type: 'PARTICIPANT_ADDED'; detail: Detail<{ participant: string; name?: string }> }
  | { type: 'PARTICIPANT_REMOVED'; detail: Detail<{ participant: string; reason: TransferOutcome | 'transferred' }> }
  | { type: 'SWAP'; detail: Detail<{ activeParticipant: string; inactiveParticipant: string }> }
  | { type: 'CONFERENCE'; detail: Detail<{ participants: string[] }> }
  | { type: 'PAUSE_RECORDING'; detail: Detail<{}> }
  | { type: 'RESUME_RECORDING'; detail: Detail<{}> }
  | { type: 'WRAP_UP_ENDED'; detail: Detail<{ tags: string[] }> }
  | { type: 'AUDIO_STATS'; detail: Detail<{ stats: AudioStats }> };

export type TelephonyEventType = TelephonyEvent['type'];

export type DiagnosticCode =
  | 'malformed_event' // the line sent something outside the protocol
  | 'ignored_event' // the current state does not accept this event
  | 'stale_event' // the event names another call than the one on screen
  | 'command_failed' // the line refused a command
  | 'busy_declined' // an incoming call arrived while the agent could not take it
  | 'invalid_input'; // the agent's input was refused before reaching the line

/** The one diagnostics channel: everything ignored or refused is reported here. */
export type DiagnosticEvent = {
  type: 'DIAGNOSTIC';
  detail: { callId: string | null; code: DiagnosticCode; eventType?: string; message: string };
};

export type DialerEmitted = TelephonyEvent | DiagnosticEvent;

export type { CallFlow };
