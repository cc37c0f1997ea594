import type { LineEvent } from './protocol';

/** What a line can do beyond the basics; the UI shows only what the line supports. */
export interface LineCapabilities {
  readonly hold: boolean;
  readonly mute: boolean;
  readonly dtmf: boolean;
  readonly warmTransfer: boolean;
  /** The line can pause and resume a call recording. */
  readonly recording: boolean;
  /** Completing a warm transfer joins both parties (emits CONFERENCE). */
  readonly conference: boolean;
  /** The line reports call quality (DIALER.SYNC `audioStats`). */
  readonly audioStats: boolean;
  /** A second incoming call during a call is announced (not refused as busy) and can be answered with the first held. */
  readonly callWaiting?: boolean;
  /** `blindTransfer`: hands the call to a target without consultation. */
  readonly blindTransfer?: boolean;
  /** `conference`: a consulting warm transfer becomes a three-way call with the agent in it. */
  readonly threeWayCall?: boolean;
}

/** A line that can do everything the port offers. */
export const ALL_CAPABILITIES: LineCapabilities = Object.freeze({
  hold: true,
  mute: true,
  dtmf: true,
  warmTransfer: true,
  recording: true,
  conference: true,
  audioStats: true,
  callWaiting: true,
  blindTransfer: true,
  threeWayCall: true,
});

export type LineErrorCode =
  | 'not_ready' // the line is not connected / registered
  | 'no_such_call' // the command names a call the line does not know
  | 'invalid_state' // the call is not in a state that allows the command
  | 'invalid_argument' // a number or digit string the line refuses
  | 'unsupported' // the line lacks the capability
  | 'network'; // the command could not be sent

/** The one error type a line's commands reject with. */
export class LineError extends Error {
  readonly code: LineErrorCode;
  constructor(code: LineErrorCode, message: string) {
    super(message);
    this.name = 'LineError';
    this.code = code;
  }
}

/** A transfer target: a phone number or a teammate's extension, already validated. */
export interface TransferTarget {
  readonly number: string;
  readonly name?: string;
}

/**
 * A telephony line: the port behind which the simulated line and the SIP line sit.
 *
 * A line speaks the dialer protocol of `protocol.ts` and holds at most two call sessions at a
 * time: the call in progress and, with `callWaiting`, a second incoming call (ringing: "waiting";
 * answered: one of the two is held). A session is identified by a `callId`; during a warm transfer
 * or a conference the session has two legs (the original party and the transfer target) and keeps
 * the original's `callId`.
 *
 * Call states, as the line reports them with `DIALER.CALL_STATUS`:
 *
 *     (none) -dial-> connecting -> ringing -> connected -> hanging -> ended
 *     (none) -incoming-> ringing -answer-> accepting -> connected -> ... -> ended
 *     connected -startWarmTransfer-> startingWarmTransfer -> ringing(wT) -> connected(wT)
 *     connected(wT) -swap-> swapping -> connected(wT);  -merge-> merging -> ended(regular)
 *     any warm-transfer status -> connected(regular) with a TransferOutcome reason
 *     connected(wT) -conference-> connected(conference) -merge-> merging(conference) -> ended(transferred)
 *     connected(conference) -one party leaves-> connected(regular) with transferTargetLeft / heldPartyLeft
 *     connected -blindTransfer-> blindTransferring -> ended(transferred)
 *                                                  -> connected(regular) with a TransferOutcome reason
 *
 * A second call (call waiting), each call with its own callId and its own statuses as above:
 *
 *     (call A in progress) -incoming-> B ringing
 *     B -answer-> A SYNC onHold:true, then B accepting -> connected      ("answer and hold")
 *     A (held) -resume-> B SYNC onHold:true, then A SYNC onHold:false    ("swap calls")
 *
 * Rules:
 * - Commands resolve when the command has been handed to the network; they MUST NOT wait for the
 *   outcome. Outcomes arrive only as events.
 * - A command the line cannot carry out MUST reject with a {@link LineError} and MUST NOT change any
 *   call. A rejected command emits no event.
 * - `dial` MUST emit `DIALER.DIALING` (with the same callId) before any other event of that call,
 *   then `connecting`.
 * - Every `DIALER.CALL_STATUS` and `DIALER.SYNC` about a call MUST carry that call's `callId`.
 * - An incoming call MUST be announced by `DIALER.SYNC` with `direction: 'inbound'` and `from`,
 *   then `DIALER.CALL_STATUS` `ringing`.
 * - `answer` MUST lead to `accepting` then `connected`, or to `ended` with a reason.
 * - A call MUST end with exactly one `ended` status carrying an {@link EndReason}; after it the line
 *   MUST NOT emit further statuses for that callId. `hanging` MAY precede it.
 * - The line MUST report hold and mute as applied with `DIALER.SYNC` (`onHold`, `muted`); the
 *   agent's view never changes until the line says so.
 * - While the session is in warm transfer the line MUST report which party is active and which is
 *   held with `DIALER.SYNC` `activeParticipant` / `inactiveParticipant`, and `from` / `to` MUST keep
 *   pointing to the first call.
 * - After `ended` the line SHOULD send a final `DIALER.SYNC` with the call's duration.
 * - Methods for capabilities the line does not have MUST reject with `unsupported`.
 * - `subscribe` MUST return a function that stops delivery; a line MUST NOT deliver events to a
 *   listener after it has unsubscribed.
 * - Events MUST be delivered asynchronously, never from inside the command call.
 * - A line MUST NOT hold more than two calls: a third incoming call is refused as busy and never
 *   announced. Without `callWaiting`, a second incoming call is refused as busy.
 * - Of two answered calls at most one is off hold: `answer` of the second call MUST first hold the
 *   other one (its `onHold: true` SYNC before the new call's `accepting`), and `resume` of a held
 *   call MUST first hold the other one. `answer` of a second call is allowed only while the other
 *   call is `connected` in the regular flow (see COMMAND_RULES in session/rules.ts for every
 *   command's states and what the other call may be doing).
 * - `blindTransfer` MUST hold the party and report `blindTransferring`; then `ended` `transferred`
 *   once the target took the call, or `connected` (regular, off hold) with a TransferOutcome.
 * - `conference` (from a consulting warm transfer) MUST report `connected` with flow
 *   `conference` and a SYNC with both parties in `participants`; `merge` from it leaves the two
 *   parties together (`ended` `transferred`) and `hangUp` ends every leg.
 */
export interface Line {
  readonly kind: 'simulated' | 'sip';
  readonly capabilities: LineCapabilities;
  /** Listens to the line's events. Returns the unsubscribe function. */
  subscribe(listener: (event: LineEvent) => void): () => void;
  dial(callId: string, to: string): Promise<void>;
  answer(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  hangUp(callId: string): Promise<void>;
  hold(callId: string): Promise<void>;
  resume(callId: string): Promise<void>;
  mute(callId: string): Promise<void>;
  unmute(callId: string): Promise<void>;
  /** Sends DTMF digits (0-9, *, #) on the active leg. */
  sendDigits(callId: string, digits: string): Promise<void>;
  startWarmTransfer(callId: string, target: TransferTarget): Promise<void>;
  /** Hands the call to `target` without consultation (SIP REFER without Replaces). */
  blindTransfer(callId: string, target: TransferTarget): Promise<void>;
  /** Turns the consulting warm transfer into a three-way call with the agent still in it. */
  conference(callId: string): Promise<void>;
  swap(callId: string): Promise<void>;
  /** Completes the warm transfer: joins the two parties and the agent leaves. */
  merge(callId: string): Promise<void>;
  cancelTransfer(callId: string): Promise<void>;
  pauseRecording?(callId: string): Promise<void>;
  resumeRecording?(callId: string): Promise<void>;
  /** Releases every resource; the line is unusable afterwards. */
  dispose(): void;
}

/** The commands of the line port, as the machine sends them to the line bridge actor. */
export type LineCommand =
  | { type: 'dial'; callId: string; to: string }
  | { type: 'answer'; callId: string }
  | { type: 'decline'; callId: string }
  | { type: 'hangUp'; callId: string }
  | { type: 'hold'; callId: string }
  | { type: 'resume'; callId: string }
  | { type: 'mute'; callId: string }
  | { type: 'unmute'; callId: string }
  | { type: 'sendDigits'; callId: string; digits: string }
  | { type: 'startWarmTransfer'; callId: string; target: TransferTarget }
  | { type: 'blindTransfer'; callId: string; target: TransferTarget }
  | { type: 'conference'; callId: string }
  | { type: 'swap'; callId: string }
  | { type: 'merge'; callId: string }
  | { type: 'cancelTransfer'; callId: string }
  | { type: 'pauseRecording'; callId: string }
  | { type: 'resumeRecording'; callId: string };

/** The port's commands as methods: what a line that forwards the port must provide. */
export type LineCommands = Required<Pick<Line, LineCommand['type']>>;

/** Each command's arguments after the callId, in the order its method takes them. */
const COMMAND_ARGUMENTS = {
  dial: ['to'],
  answer: [],
  decline: [],
  hangUp: [],
  hold: [],
  resume: [],
  mute: [],
  unmute: [],
  sendDigits: ['digits'],
  startWarmTransfer: ['target'],
  blindTransfer: ['target'],
  conference: [],
  swap: [],
  merge: [],
  cancelTransfer: [],
  pauseRecording: [],
  resumeRecording: [],
} as const satisfies { readonly [K in LineCommand['type']]: readonly Exclude<keyof Extract<LineCommand, { type: K }>, 'type' | 'callId'>[] };

/** The names of the port's commands. */
export const LINE_COMMANDS = Object.keys(COMMAND_ARGUMENTS) as readonly LineCommand['type'][];

/** Runs a command against a line. Rejects with a LineError when the line refuses it. */
export function runLineCommand(line: Line, command: LineCommand): Promise<void> {
  const method = line[command.type] as ((callId: string, ...args: unknown[]) => Promise<void>) | undefined;
  if (!method) {
    const verb = command.type === 'pauseRecording' ? 'pause' : 'resume';
    return Promise.reject(new LineError('unsupported', `This line cannot ${verb} recordings.`));
  }
  const args = COMMAND_ARGUMENTS[command.type].map((name) => (command as unknown as Record<string, unknown>)[name]);
  return method.call(line, command.callId, ...args);
}

/**
 * The command methods of a line that forwards the port: each call becomes a {@link LineCommand}
 * given to `run` (which passes it on with {@link runLineCommand}, records it, ...). The one place
 * the deferred line, the switchable line and the test fakes get their commands from.
 */
export function delegateLine(run: (command: LineCommand) => Promise<void>): LineCommands {
  const method =
    (type: LineCommand['type']) =>
    (callId: string, ...args: unknown[]) =>
      run({ type, callId, ...Object.fromEntries(COMMAND_ARGUMENTS[type].map((name, i) => [name, args[i]])) } as LineCommand);
  return Object.fromEntries(LINE_COMMANDS.map((type) => [type, method(type)])) as unknown as LineCommands;
}
