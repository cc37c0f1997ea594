import type { AudioStats, Availability, CallFlow, EndReason, Participant, TransferOutcome } from '../telephony/protocol';
import type { LineCapabilities, LineCommand, LineErrorCode } from '../telephony/line';
import type { BridgeEvent } from '../telephony/bridge';

export type { BridgeEvent };

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
  /**
   * Call waiting (issue 12): a second incoming call during a call is announced and can be answered
   * with the first held. Off: it is declined as busy and shown as a missed call. Default on.
   */
  readonly callWaiting: boolean;
}

/** The answered call that is on hold while the agent talks to the other one (call waiting). */
export interface HeldCall {
  readonly call: CallInfo;
  readonly activeParticipant: Participant | null;
  readonly muted: boolean;
  readonly recording: 'recording' | 'paused' | null;
  readonly recordingUrl: string | null;
  readonly participants: Participant[];
  readonly digitsSent: string;
  readonly tags: string[];
  readonly transferOutcome: TransferOutcome | null;
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
  /** A second incoming call ringing during a call or wrap-up (call waiting), until answered, declined or gone. */
  waiting: CallInfo | null;
  /** The other answered call, on hold while the agent talks on `call` (after "Answer and hold"). */
  held: HeldCall | null;
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
  nextCall: { number: string; extension?: string; name?: string } | null;
  /** An extension to send as tones once the call connects (from "+1 415 555 0100 ext. 42"). */
  pendingExtension: string | null;
  /** A refused number or intent, in words for the agent. */
  inputError: string | null;
  /** The last command the line refused. */
  lastError: { command: LineCommand['type']; code: LineErrorCode | 'unknown'; message: string } | null;
  /** The held call whose party left while the agent talked on the other one: said once on screen. */
  lastHeldEnd: { party: Participant; reason: EndReason } | null;
  /** The call on screen was taken over from a page that went away (reload, closed tab): see SESSION.RECOVER. */
  recovered: RecoveredFrom | null;
}

/**
 * Where a call on screen was when the page that held it went away (saved by app/continuity.ts):
 * - `live`: in progress. Its line died with that page, so the call is over for the phone system;
 *   it is shown ended ("The call ended when the page reloaded"), then wrapped up as any call.
 * - `tagging`: in mandatory tagging: tagging is still owed before the next call.
 * - `ended`: ended, not settled yet (its summary not sent): shown ended until it settles.
 */
export type RecoveredFrom = 'live' | 'tagging' | 'ended';

/** What the agent asks for: sent by the UI, never carrying call state. */
export type AgentIntent =
  /** `number` as the number reader (src/phone) made it; `extension` sent as tones once connected. */
  | { type: 'AGENT.DIAL'; number: string; extension?: string; name?: string }
  /** The number reader refused what the agent asked to dial: said next to the field. */
  | { type: 'AGENT.NUMBER_REFUSED'; message: string }
  | { type: 'AGENT.ANSWER' }
  | { type: 'AGENT.DECLINE' }
  | { type: 'AGENT.HANG_UP' }
  | { type: 'AGENT.HOLD' }
  | { type: 'AGENT.RESUME' }
  | { type: 'AGENT.MUTE' }
  | { type: 'AGENT.UNMUTE' }
  | { type: 'AGENT.SEND_DIGITS'; digits: string }
  | { type: 'AGENT.START_TRANSFER'; target: string; name?: string }
  /** "Transfer now": hands the call over without consultation. */
  | { type: 'AGENT.BLIND_TRANSFER'; target: string; name?: string }
  /** "Conference": the consulting warm transfer becomes a three-way call. */
  | { type: 'AGENT.CONFERENCE' }
  /** "Answer and hold": the call on screen goes on hold, the waiting call connects. */
  | { type: 'AGENT.ANSWER_WAITING' }
  | { type: 'AGENT.DECLINE_WAITING' }
  /** "Swap calls": the held call comes back, the one on screen goes on hold. */
  | { type: 'AGENT.SWAP_CALLS' }
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

/** What the Front host asks for: the Call button, already normalised by the phone module. */
export type HostIntent =
  | { type: 'FRONT.DIAL_REQUEST'; number: string; extension?: string; name?: string }
  | { type: 'FRONT.DIAL_REFUSED'; message: string }
  /**
   * The name Front's contacts give the party of call `callId` (looked up by the owner after the
   * call rang without one). Taken only while that call is on screen and only where it has no name:
   * it never replaces a name the line or the agent gave, and never names another call.
   */
  | { type: 'FRONT.PARTY_NAME'; callId: string; name: string };

/** The app switched lines (simulated <-> SIP) while no call was in progress. */
export type LineSwitched = { type: 'LINE.SWITCHED'; capabilities: LineCapabilities };

/**
 * An agent intent the machine does not accept now, as the dialer actor sends it (see DialerActor)
 * so it is reported. Not a catch-all transition: that would make `snapshot.can` true for every
 * intent.
 */
export type Unhandled = { type: 'MACHINE.UNHANDLED'; event: AgentIntent };

/**
 * The phone was taken over from a page that went away with a call on screen (a reload, a closed
 * tab): the call comes back as it was left. Accepted only while idle, as the new owner starts.
 */
export type SessionRecover = {
  type: 'SESSION.RECOVER';
  from: RecoveredFrom;
  call: CallInfo;
  tags: string[];
  endReason: EndReason | null;
  /** When the page that held it was last heard of (epoch ms): the end of a `live` call. */
  lastSeenAt: number;
};

export type DialerEvent = AgentIntent | HostIntent | BridgeEvent | LineSwitched | Unhandled | SessionRecover;

/**
 * The groups of states the outside world asks about, as state tags (`snapshot.hasTag(tag)`):
 * - `busy`: no call can be made or taken now (a call in progress, or mandatory tagging): an
 *   incoming call is declined as busy, a Call-button number is kept for later, lines stay as they are.
 * - `inCall`: a call is in progress, from dialling (or ringing) until the line says it ended.
 * - `ringing`: an incoming call rings for the agent and waits for Answer or Decline (not the
 *   ringback of an outbound call): the ringtone and Front's notification follow this tag.
 * - `transfer`: a warm transfer is in progress (the first party held while the agent consults).
 * - `wrapUp`: mandatory tagging: the call ended and must be tagged before the next one.
 * - `callWaiting`: a second incoming call rings during a call or wrap-up (the waiting tone and
 *   Front's notification follow it).
 * - `twoCalls`: two answered calls, one of them held.
 * - `conference`: a three-way call (the agent, the original party, the transfer target).
 */
export type DialerTag = 'busy' | 'inCall' | 'ringing' | 'transfer' | 'wrapUp' | 'callWaiting' | 'twoCalls' | 'conference';

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

/** What a settled call was: everything the call log's summary needs, as final as it gets. */
export interface SettledCall {
  readonly callId: string;
  readonly callType: Direction;
  readonly participant: string;
  /** The other party's name, when known by the time the call settled (Front, the line, a lookup). */
  readonly participantName?: string;
  readonly reason: EndReason;
  /** Epoch ms; null when the call never connected. */
  readonly connectedAt: number | null;
  readonly endedAt: number | null;
  /** Seconds, as the line's final DIALER.SYNC reported them; null when it did not. */
  readonly duration: number | null;
  readonly tags: readonly string[];
  readonly recordingUrl: string | null;
}

/**
 * What happened to a call, for the adapters that act on it (Front's notifications and tags, the
 * call log), so none of them has to compare snapshots. Emitted besides the telephony events:
 * - `RINGING_STOPPED`: an incoming call stopped ringing for the agent, whatever the reason;
 *   `reason` says why when the line ended it (`missed`, `declined`, ...), null when answered.
 * - `WRAP_UP_STARTED`: mandatory tagging began (WRAP_UP_ENDED says when it is over).
 * - `TAGS_SAVED`: the agent saved tags for the call, during it or after.
 * - `CALL_SETTLED`: once per call, the call's record is final: wrap-up ended, the agent left the
 *   ended screen (new call, reset), or {@link SETTLE_AFTER_MS} passed on it.
 * - `RECORDING_AVAILABLE`: the line gave the call a (new) recording URL.
 */
export type CallLifecycleEvent =
  | { type: 'RINGING_STOPPED'; detail: Detail<{ caller: Participant; reason: EndReason | null }> }
  | { type: 'WRAP_UP_STARTED'; detail: Detail<{}> }
  | { type: 'TAGS_SAVED'; detail: Detail<{ tags: readonly string[] }> }
  | { type: 'CALL_SETTLED'; detail: SettledCall }
  | { type: 'RECORDING_AVAILABLE'; detail: Detail<{ url: string }> };

/** The lifecycle events' types, to tell them from the telephony events at run time. */
export const CALL_LIFECYCLE_EVENTS = ['RINGING_STOPPED', 'WRAP_UP_STARTED', 'TAGS_SAVED', 'CALL_SETTLED', 'RECORDING_AVAILABLE'] as const;

/** How long the ended screen may stay before the call counts as settled (tags come within it). */
export const SETTLE_AFTER_MS = 30_000;

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

export type DialerEmitted = TelephonyEvent | CallLifecycleEvent | DiagnosticEvent;

export type { CallFlow };
