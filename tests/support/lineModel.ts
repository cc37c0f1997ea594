import type { DialerEvent } from '../../src/machine';
import type { LineCommand } from '../../src/telephony/line';
import {
  CALL_FLOWS,
  CALL_STATUSES,
  END_REASONS,
  TRANSFER_OUTCOMES,
  callStatusEvent,
  syncEvent,
  type CallFlow,
  type CallStatus,
  type EndReason,
  type Participant,
  type SyncPayload,
  type TransferOutcome,
} from '../../src/telephony/protocol';

/**
 * A model of everything around the call machine, for model-based property tests: the line (one
 * call session at a time with its warm-transfer leg, plus a second caller while busy), the people
 * at the far end (callee, caller, transfer target), the agent and Front. At each step it lists what
 * could plausibly happen next and one generated integer picks it:
 *
 * - the line delivers the next event it owes: commands resolve at once and their outcomes arrive
 *   later, so agent intents and line events interleave as they do for real;
 * - the far end acts: the callee answers or not, the caller gives up, the transfer target answers,
 *   declines or hangs up, the held party leaves, the connection drops;
 * - the agent acts on what the machine shows (through `AgentView`, never the line's truth);
 * - Front asks to dial, the agent toggles mandatory tagging, time passes.
 *
 * The line keeps the MUST rules of src/telephony/line.ts: it reacts to the commands the machine
 * really sent, refuses those its state does not allow (as LINE.COMMAND_FAILED, which is what the
 * line bridge reports), and ends every call with exactly one `ended`. At a low rate the model
 * breaks the rules on purpose: duplicated and reordered events, malformed events, events about other
 * calls, statuses out of state, and intents the current state does not accept.
 */

/** What the agent sees, read from the machine through its public selectors. */
export interface AgentView {
  readonly status: CallStatus;
  readonly flow: CallFlow;
  readonly callId: string | null;
  readonly direction: 'inbound' | 'outbound' | null;
  readonly onHold: boolean;
  readonly muted: boolean;
  readonly recording: 'recording' | 'paused' | null;
  readonly hasNextCall: boolean;
  /** A second caller rings (call waiting). */
  readonly hasWaiting: boolean;
  /** Another answered call is on hold. */
  readonly hasHeld: boolean;
}

/** The system under test, as the model drives it. */
export interface ModelDriver {
  /** Delivers any value as a line event, through the line bridge (which validates it). */
  emitLine(event: unknown): void;
  /** Sends an agent intent, a host event or a bridge event straight to the machine. */
  send(event: DialerEvent): void;
  /** Every command the machine has sent the line so far, oldest first. */
  readonly commands: readonly LineCommand[];
  /** Lets time pass for the machine's delayed transitions. */
  advance(ms: number): void;
  view(): AgentView;
}

/**
 * Turns one generated integer into a series of choices. A used-up integer answers 0, and every
 * choice lists its most plausible option first, so a shrunk counterexample (integers near 0) reads
 * like the plain protocol with nothing unusual in it.
 */
export class Choices {
  constructor(private rest: number) {}

  int(n: number): number {
    if (n <= 1) return 0;
    const choice = this.rest % n;
    this.rest = Math.floor(this.rest / n);
    return choice;
  }

  chance(percent: number): boolean {
    return this.int(100) >= 100 - percent;
  }

  of<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  weighted<T extends { weight: number }>(options: readonly T[]): T {
    const total = options.reduce((sum, o) => sum + o.weight, 0);
    let roll = this.int(total);
    for (const option of options) {
      if (roll < option.weight) return option;
      roll -= option.weight;
    }
    return options[0] as T;
  }
}

export const AGENT_NUMBER = '+14155550100';
const CUSTOMERS = ['+14155550199', '+14155550123', '+493012345678', '4155550777'] as const;
const TEAMMATES = ['+14155550777', '201', '+15005550001'] as const;
const NOT_NUMBERS = ['', '1', 'sip:attacker@evil.example', '+1 415 555 0199;transport=tcp', '<img src=x>', '0'.repeat(50)] as const;
const VALID_TAGS = [['Support'], ['Sales', 'Support'], [' Billing ']] as const;
const INVALID_TAGS = [[], [''], ['   ']] as const;

/** The line's view of one call session. */
interface Session {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  status: CallStatus;
  flow: CallFlow;
  /** The customer; after the held party left a transfer, the former target. */
  main: Participant;
  /** The warm-transfer target while a transfer is in progress. */
  consult: Participant | null;
  consultActive: boolean;
  answered: boolean;
  /** The line reported `mandatoryTagging` and still owes the call's `ended`. */
  wrapUp: boolean;
}

interface Action {
  readonly weight: number;
  readonly label: string;
  run(c: Choices): void;
}

type Pending = { readonly via: 'line'; readonly event: unknown } | { readonly via: 'bridge'; readonly event: DialerEvent };

/** How often the model breaks the protocol, in percent of steps. */
export const NOISE = { garbage: 3, duplicate: 2, reorder: 2 } as const;

export interface CallWorldOptions {
  /** The machine's mandatory-tagging setting at the start (the model toggles it later itself). */
  readonly mandatoryTagging: boolean;
}

export class CallWorld {
  /** What happened: a label per step and every event the machine received; see {@link formatTrace}. */
  readonly trace: unknown[] = [];
  private readonly queue: Pending[] = [];
  private session: Session | null = null;
  private waiting: Session | null = null;
  /** The other answered call, on hold (after the agent answered a waiting call). */
  private held: Session | null = null;
  private consumed = 0;
  private readonly delivered: unknown[] = [];
  private readonly endedCallIds: string[] = [];
  private readonly names = new Map<string, string>();
  private lastIntent: DialerEvent | null = null;
  private tagging: boolean;
  private incoming = 0;

  constructor(
    private readonly driver: ModelDriver,
    options: CallWorldOptions,
  ) {
    this.tagging = options.mandatoryTagging;
  }

  /** One step: mostly the protocol, sometimes noise. */
  step(c: Choices): void {
    const roll = c.int(100);
    let action: Action | null = null;
    if (roll >= 100 - NOISE.garbage) action = this.garbage(c);
    else if (roll >= 100 - NOISE.garbage - NOISE.duplicate) action = this.duplicate(c);
    else if (roll >= 100 - NOISE.garbage - NOISE.duplicate - NOISE.reorder) action = this.reorder(c);
    action ??= c.weighted(this.plausible());
    this.trace.push(action.label);
    action.run(c);
    this.absorbCommands(c);
  }

  /** A short stable name for a call id in traces ("call 2"), since the machine's ids are random. */
  nameOf(callId: string | null | undefined): string {
    if (!callId) return 'no call';
    let name = this.names.get(callId);
    if (!name) {
      name = `call ${this.names.size + 1}`;
      this.names.set(callId, name);
    }
    return name;
  }

  /** The id of the call the line has in progress, if any (for tests that end it by hand). */
  get lineCallId(): string | null {
    return this.session && this.session.status !== 'ended' ? this.session.callId : null;
  }

  // ---- what can happen next -------------------------------------------------------------------

  private plausible(): Action[] {
    const actions: Action[] = [];
    if (this.queue.length > 0) actions.push({ weight: 40, label: 'the line delivers its next event', run: () => this.deliverAt(0) });
    const view = this.driver.view();
    this.farEnd(actions);
    this.agent(actions, view);
    this.surroundings(actions, view);
    return actions;
  }

  private farEnd(out: Action[]): void {
    const s = this.session;
    const add = (weight: number, label: string, run: (c: Choices) => void) => out.push({ weight, label: `far end: ${label}`, run });
    if (!s || s.status === 'ended') {
      add(8, 'someone calls the agent', (c) => this.ring(c, false));
    } else if (s.wrapUp) {
      add(4, "the line's wrap-up ends", (c) => this.finish(s, c));
      add(2, 'someone calls the agent', (c) => this.ring(c, false));
    } else {
      const live = () => s.status !== 'ended';
      switch (s.status) {
        case 'connecting':
          add(8, 'the callee rings', () => this.status(s, 'ringing', 'regular'));
          add(1, 'the callee answers at once', (c) => this.connect(s, c));
          add(1, 'the callee is busy', (c) => this.end(s, 'busy', false, c));
          add(1, 'the network cannot place the call', (c) => this.end(s, 'failed', false, c));
          break;
        case 'ringing':
          if (s.flow === 'warmTransfer') {
            add(8, 'the transfer target answers', () => {
              s.consultActive = true;
              this.status(s, 'connected', 'warmTransfer');
            });
            add(2, 'the transfer target declines', (c) => this.backToMain(s, 'transferDeclined', c));
            add(2, 'the transfer target does not answer', (c) => this.backToMain(s, 'transferNoAnswer', c));
            add(1, 'the held party hangs up while the target rings', (c) => this.end(s, 'remoteHangup', true, c));
          } else if (s.direction === 'outbound') {
            add(8, 'the callee answers', (c) => this.connect(s, c));
            add(1, 'the callee rejects the call', (c) => this.end(s, 'rejected', false, c));
            add(1, 'nobody answers', (c) => this.end(s, 'noAnswer', false, c));
          } else {
            add(1, 'the caller gives up', (c) => this.end(s, 'missed', false, c));
            add(1, 'another device answers', (c) => this.end(s, 'answeredElsewhere', false, c));
          }
          break;
        case 'accepting':
          add(8, 'the media connects', (c) => this.connect(s, c));
          break;
        case 'connected':
          if (s.flow === 'warmTransfer' || s.flow === 'conference') {
            add(1, 'the transfer target hangs up', (c) => this.backToMain(s, 'transferTargetLeft', c));
            add(1, 'the held party hangs up', (c) => this.targetTakesOver(s, c));
          } else {
            add(1, 'the other party hangs up', (c) => this.end(s, 'remoteHangup', c.chance(70), c));
            add(1, 'the line reports call quality', () => this.sync(s, { audioStats: { jitter: 4, packetLoss: 0.01, rtt: 60, mos: 4.2 } }));
            add(1, 'the line reports the recording', () => this.sync(s, { recording: { state: 'recording', url: 'https://recordings.example/r/1' } }));
          }
          break;
        case 'startingWarmTransfer':
          add(8, 'the transfer target rings', () => {
            this.status(s, 'ringing', 'warmTransfer');
            this.syncParties(s);
          });
          add(2, 'the consultation call cannot be placed', (c) => this.backToMain(s, 'transferFailed', c));
          break;
        case 'swapping':
          add(3, 'the swap completes', () => this.status(s, 'connected', 'warmTransfer'));
          break;
        case 'merging':
          add(4, 'the transfer completes', (c) => this.end(s, 'transferred', c.chance(30), c));
          add(2, 'the transfer cannot be completed', () => this.status(s, 'connected', s.flow));
          break;
        case 'blindTransferring':
          add(4, 'the blind-transfer target takes the call', (c) => this.end(s, 'transferred', false, c));
          add(2, 'the blind-transfer target declines', (c) => this.backToMain(s, 'transferDeclined', c));
          add(1, 'the blind-transfer target does not answer', (c) => this.backToMain(s, 'transferNoAnswer', c));
          break;
        default:
          break;
      }
      if (live() && s.status !== 'connecting' && !(s.status === 'ringing' && s.flow === 'regular')) {
        add(1, 'the connection drops', (c) => this.end(s, 'connectionLost', c.chance(30), c));
      }
      if (!this.waiting) add(2, 'a second caller rings while the agent is busy', (c) => this.ring(c, true));
    }
    const w = this.waiting;
    if (w && w.status === 'ringing') add(1, 'the second caller gives up', (c) => this.end(w, 'missed', false, c));
    const h = this.held;
    if (h) add(1, "the held call's party hangs up", (c) => this.end(h, 'remoteHangup', c.chance(50), c));
  }

  private agent(out: Action[], view: AgentView): void {
    const add = (weight: number, label: string, event: (c: Choices) => DialerEvent) =>
      out.push({ weight, label, run: (c) => this.intent(event(c)) });
    const { status, flow } = view;
    const inTransfer = flow === 'warmTransfer' || status === 'startingWarmTransfer' || status === 'swapping' || status === 'merging';
    if (view.hasWaiting) {
      add(4, 'agent answers the waiting call', () => ({ type: 'AGENT.ANSWER_WAITING' }));
      add(2, 'agent declines the waiting call', () => ({ type: 'AGENT.DECLINE_WAITING' }));
    }
    if (view.hasHeld) add(4, 'agent swaps calls', () => ({ type: 'AGENT.SWAP_CALLS' }));
    const dial = (weight: number) => {
      add(weight, 'agent dials', (c) => ({ type: 'AGENT.DIAL', number: c.chance(10) ? c.of(NOT_NUMBERS) : c.of(CUSTOMERS) }));
    };
    const tags = (weight: number) => {
      add(weight, 'agent saves tags', (c) => ({ type: 'AGENT.SAVE_TAGS', tags: [...(c.chance(15) ? c.of(INVALID_TAGS) : c.of(VALID_TAGS))] }));
    };
    const callNext = (weight: number) => {
      if (view.hasNextCall) add(weight, 'agent calls the next number', () => ({ type: 'AGENT.CALL_NEXT' }));
    };
    const mute = (weight: number) => add(weight, 'agent (un)mutes', () => ({ type: view.muted ? 'AGENT.UNMUTE' : 'AGENT.MUTE' }));
    const digits = (weight: number) =>
      add(weight, 'agent sends digits', (c) => ({ type: 'AGENT.SEND_DIGITS', digits: c.chance(15) ? c.of(['', 'abc', '1'.repeat(40)]) : c.of(['1', '42#', '*9']) }));
    const hangUp = (weight: number) => add(weight, 'agent hangs up', () => ({ type: 'AGENT.HANG_UP' }));
    const cancel = (weight: number) => add(weight, 'agent cancels the transfer', () => ({ type: 'AGENT.CANCEL_TRANSFER' }));

    if (flow === 'conference') {
      if (status === 'connected') add(6, 'agent leaves the conference', () => ({ type: 'AGENT.MERGE' }));
      hangUp(1);
      mute(1);
      tags(1);
      return;
    }
    if (inTransfer) {
      if (status === 'connected') {
        add(6, 'agent completes the transfer', () => ({ type: 'AGENT.MERGE' }));
        add(6, 'agent swaps parties', () => ({ type: 'AGENT.SWAP' }));
        add(4, 'agent starts a conference', () => ({ type: 'AGENT.CONFERENCE' }));
        cancel(2);
      } else {
        cancel(status === 'swapping' || status === 'merging' ? 1 : 2);
      }
      hangUp(1);
      mute(1);
      digits(1);
      tags(1);
      return;
    }
    switch (status) {
      case 'idle':
        dial(10);
        callNext(3);
        break;
      case 'connecting':
        hangUp(2);
        break;
      case 'ringing':
        if (view.direction === 'inbound') {
          add(10, 'agent answers', () => ({ type: 'AGENT.ANSWER' }));
          add(2, 'agent declines', () => ({ type: 'AGENT.DECLINE' }));
        } else {
          hangUp(2);
        }
        break;
      case 'accepting':
        hangUp(1);
        break;
      case 'connected':
        add(10, 'agent starts a warm transfer', (c) => ({
          type: 'AGENT.START_TRANSFER',
          target: c.chance(10) ? c.of(NOT_NUMBERS) : this.transferTarget(c),
          ...(c.chance(30) ? { name: 'Kenji' } : {}),
        }));
        add(3, 'agent holds / resumes', () => ({ type: view.onHold ? 'AGENT.RESUME' : 'AGENT.HOLD' }));
        add(3, 'agent transfers now (blind)', (c) => ({
          type: 'AGENT.BLIND_TRANSFER',
          target: c.chance(10) ? c.of(NOT_NUMBERS) : this.transferTarget(c),
        }));
        mute(2);
        digits(2);
        add(1, 'agent pauses / resumes the recording', () => ({ type: view.recording === 'paused' ? 'AGENT.RESUME_RECORDING' : 'AGENT.PAUSE_RECORDING' }));
        tags(2);
        hangUp(1);
        break;
      case 'hanging':
        tags(1);
        break;
      case 'mandatoryTagging':
        tags(8);
        dial(1);
        callNext(1);
        break;
      case 'ended':
        add(5, 'agent resets', () => ({ type: 'AGENT.RESET' }));
        dial(5);
        tags(1);
        callNext(2);
        break;
      default:
        break;
    }
  }

  private surroundings(out: Action[], view: AgentView): void {
    out.push({
      weight: 1,
      label: 'Front asks to dial a number',
      run: (c) => {
        const extension = c.chance(30) ? c.of(['42', '12#', 'x;']) : undefined;
        this.intent({ type: 'FRONT.DIAL_REQUEST', number: c.of(CUSTOMERS), ...(extension ? { extension } : {}) });
      },
    });
    out.push({
      weight: 1,
      label: 'agent toggles mandatory tagging',
      run: () => {
        this.tagging = !this.tagging;
        this.intent({ type: 'SETTINGS.UPDATE', settings: { mandatoryTagging: this.tagging } });
      },
    });
    out.push({ weight: 2, label: 'two seconds pass', run: () => this.driver.advance(2000) });
    out.push({
      weight: 1,
      label: 'agent availability changes',
      run: (c) => this.deliverNow({ type: 'USER.AVAILABILITY_CHANGED', payload: { status: c.of(['available', 'busy', 'after_call_work', 'offline']) } }),
    });
    if (view.hasNextCall) out.push({ weight: 1, label: 'agent dismisses the next call', run: () => this.intent({ type: 'AGENT.DISMISS_NEXT' }) });
    out.push({ weight: 1, label: 'agent clears the error', run: () => this.intent({ type: 'AGENT.CLEAR_ERROR' }) });
    if (view.status === 'idle' || view.status === 'ended') {
      out.push({
        weight: 1,
        label: 'the app switches lines',
        run: (c) =>
          this.intent({
            type: 'LINE.SWITCHED',
            capabilities: c.chance(50)
              ? { hold: true, mute: true, dtmf: true, warmTransfer: true, recording: true, conference: true, audioStats: true, callWaiting: true, blindTransfer: true, threeWayCall: true }
              : { hold: false, mute: true, dtmf: true, warmTransfer: false, recording: false, conference: false, audioStats: false },
          }),
      });
    }
  }

  // ---- noise ------------------------------------------------------------------------------------

  private garbage(c: Choices): Action {
    const kind = c.int(10);
    if (kind < 4) {
      return { weight: 0, label: 'garbage: a malformed line event', run: (cc) => this.deliverNow(cc.of(this.malformed())) };
    }
    if (kind < 7) {
      const callId = c.of([...this.endedCallIds.slice(-3), 'stale-1', 'in-999']);
      return {
        weight: 0,
        label: `garbage: an event about ${this.nameOf(callId)}`,
        run: (cc) => this.deliverNow(cc.of(this.aboutCall(callId))),
      };
    }
    if (kind < 8) {
      const callId = this.driver.view().callId ?? this.session?.callId ?? 'in-999';
      return {
        weight: 0,
        label: `garbage: a status out of state for ${this.nameOf(callId)}`,
        run: (cc) => {
          const reason = cc.chance(50) ? cc.of([...END_REASONS, ...TRANSFER_OUTCOMES]) : undefined;
          this.deliverNow(callStatusEvent(callId, cc.of(CALL_STATUSES), cc.of(CALL_FLOWS), reason));
        },
      };
    }
    return { weight: 0, label: 'garbage: an intent out of state', run: (cc) => this.intent(cc.of(ANY_INTENT)) };
  }

  private duplicate(c: Choices): Action | null {
    const kind = c.int(3);
    if (kind === 0 && this.delivered.length > 0) {
      const event = this.delivered[this.delivered.length - 1];
      return { weight: 0, label: 'noise: the line repeats its last event', run: () => this.deliverNow(event) };
    }
    if (kind === 1 && this.delivered.length > 1) {
      const event = this.delivered[c.int(this.delivered.length)];
      return { weight: 0, label: 'noise: a late copy of an earlier event', run: () => this.deliverNow(event) };
    }
    if (kind === 2 && this.lastIntent) {
      const intent = this.lastIntent;
      return { weight: 0, label: 'noise: the agent clicks twice', run: () => this.intent(intent) };
    }
    return null;
  }

  private reorder(c: Choices): Action | null {
    if (this.queue.length < 2) return null;
    const index = 1 + c.int(this.queue.length - 1);
    return { weight: 0, label: `noise: event ${index + 1} of ${this.queue.length} overtakes`, run: () => this.deliverAt(index) };
  }

  private malformed(): unknown[] {
    const callId = this.session?.callId ?? 'x';
    return [
      null,
      42,
      'DIALER.CALL_STATUS',
      [],
      { type: 'DIALER.CALL_STATUS' },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'exploded', flow: 'regular', callId } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', callId, extra: true } },
      { type: 'DIALER.SYNC', payload: { callId, onHold: 'yes' } },
      { type: 'DIALER.SYNC', payload: { callId, activeParticipant: { number: 'sip:x@y' } } },
      { type: 'DIALER.SYNC', payload: { callId: '', direction: 'inbound', from: '+14155550123' } },
      { type: 'DIALER.DIALING', payload: { from: 'me', to: '+14155550199', callId } },
      { type: 'USER.AVAILABILITY_CHANGED', payload: { status: 'on fire' } },
      { type: 'NOT.AN_EVENT', payload: {} },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', callId: 'x'.repeat(500) } },
    ];
  }

  /** Valid events with another call's id: a stale call, or one the line never announced. */
  private aboutCall(callId: string): unknown[] {
    return [
      callStatusEvent(callId, 'ended', 'regular', 'remoteHangup'),
      callStatusEvent(callId, 'connected', 'regular'),
      callStatusEvent(callId, 'ringing', 'regular'),
      callStatusEvent(callId, 'connected', 'warmTransfer'),
      callStatusEvent(callId, 'mandatoryTagging', 'regular'),
      syncEvent(callId, { onHold: true, muted: true }),
      syncEvent(callId, { activeParticipant: { number: '+15550000001' }, inactiveParticipant: { number: '+15550000002' } }),
      syncEvent(callId, { duration: 12 }),
      { type: 'DIALER.DIALING', payload: { from: AGENT_NUMBER, to: '+14155550199', callId } },
    ];
  }

  // ---- delivery -------------------------------------------------------------------------------

  private deliverAt(index: number): void {
    const [pending] = this.queue.splice(index, 1);
    if (!pending) return;
    if (pending.via === 'bridge') {
      this.trace.push({ sent: pending.event });
      this.driver.send(pending.event);
      return;
    }
    this.deliverNow(pending.event);
  }

  private deliverNow(event: unknown): void {
    this.delivered.push(event);
    if (this.delivered.length > 24) this.delivered.shift();
    this.trace.push({ sent: event });
    this.driver.emitLine(event);
  }

  private intent(event: DialerEvent): void {
    this.lastIntent = event;
    this.trace.push({ sent: event });
    this.driver.send(event);
  }

  /** The trace in words, the last `limit` entries. */
  formatTrace(limit = 400): string {
    const lines = this.trace.map((entry) =>
      typeof entry === 'string' ? entry : `    -> ${describeEvent((entry as { sent: unknown }).sent, (id) => this.nameOf(id))}`,
    );
    const shown = lines.slice(-limit);
    return (lines.length > shown.length ? [`... ${lines.length - shown.length} earlier entries`, ...shown] : shown).join('\n');
  }

  // ---- the line ---------------------------------------------------------------------------------

  private status(s: Session, status: CallStatus, flow: CallFlow, reason?: EndReason | TransferOutcome): void {
    s.status = status;
    s.flow = flow;
    this.queue.push({ via: 'line', event: callStatusEvent(s.callId, status, flow, reason) });
  }

  private sync(s: Session, details: Omit<SyncPayload, 'callId'>): void {
    this.queue.push({ via: 'line', event: syncEvent(s.callId, details) });
  }

  private syncParties(s: Session): void {
    const active = s.consultActive && s.consult ? s.consult : s.main;
    const held = s.consult ? (s.consultActive ? s.main : s.consult) : null;
    this.sync(s, { activeParticipant: active, inactiveParticipant: held });
  }

  private ring(c: Choices, whileBusy: boolean): void {
    const callId = `in-${++this.incoming}`;
    const from = c.of(CUSTOMERS);
    const name = c.chance(50) ? 'Maria Garcia' : undefined;
    const s: Session = {
      callId,
      direction: 'inbound',
      status: 'idle',
      flow: 'regular',
      main: name ? { number: from, name } : { number: from },
      consult: null,
      consultActive: false,
      answered: false,
      wrapUp: false,
    };
    if (whileBusy) this.waiting = s;
    else this.session = s;
    this.sync(s, { direction: 'inbound', from, to: AGENT_NUMBER, ...(name ? { callerName: name } : {}) });
    this.status(s, 'ringing', 'regular');
  }

  private connect(s: Session, c: Choices): void {
    s.answered = true;
    this.status(s, 'connected', 'regular');
    this.sync(s, {
      activeParticipant: s.main,
      inactiveParticipant: null,
      onHold: false,
      muted: false,
      ...(c.chance(50) ? { recording: { state: 'recording' as const } } : {}),
    });
  }

  /** Ends the call; with mandatory tagging on, the line may first ask for wrap-up (`mandatoryTagging`). */
  private end(s: Session, reason: EndReason, hanging: boolean, c: Choices): void {
    s.consult = null;
    s.consultActive = false;
    if (hanging) this.status(s, 'hanging', 'regular', reason);
    if (s.answered && this.tagging && !this.held && s !== this.held && c.chance(40)) {
      s.wrapUp = true;
      this.status(s, 'mandatoryTagging', 'regular', reason);
      return;
    }
    this.status(s, 'ended', 'regular', reason);
    this.closed(s, c);
  }

  private finish(s: Session, c: Choices): void {
    s.wrapUp = false;
    this.status(s, 'ended', 'regular');
    this.closed(s, c);
  }

  private closed(s: Session, c: Choices): void {
    if (c.chance(70)) this.sync(s, { duration: s.answered ? 30 : 0, participants: [s.main] });
    this.endedCallIds.push(s.callId);
    if (s === this.waiting) this.waiting = null;
    if (s === this.held) this.held = null;
    if (s === this.session) {
      // The other call (held, or still ringing) is what the line has left.
      if (this.held) {
        this.session = this.held;
        this.held = null;
      } else if (this.waiting) {
        this.session = this.waiting;
        this.waiting = null;
      }
    }
  }

  private backToMain(s: Session, outcome: TransferOutcome, c: Choices): void {
    s.consult = null;
    s.consultActive = false;
    this.status(s, 'connected', 'regular', outcome);
    if (c.int(5) > 0) this.sync(s, { activeParticipant: s.main, inactiveParticipant: null, onHold: false });
  }

  private targetTakesOver(s: Session, c: Choices): void {
    if (!s.consult) return;
    s.main = s.consult;
    this.backToMain(s, 'heldPartyLeft', c);
  }

  private transferTarget(c: Choices): string {
    const busy = new Set([this.session?.main.number, this.session?.consult?.number]);
    return c.of(TEAMMATES.filter((n) => !busy.has(n)));
  }

  private refuse(command: LineCommand, code: 'invalid_state' | 'no_such_call' | 'network'): void {
    this.queue.push({
      via: 'bridge',
      event: { type: 'LINE.COMMAND_FAILED', command: command.type, callId: command.callId, code, message: `${command.type} refused (${code})` },
    });
  }

  private absorbCommands(c: Choices): void {
    const commands = this.driver.commands;
    while (this.consumed < commands.length) {
      const command = commands[this.consumed++] as LineCommand;
      this.trace.push(`  the line receives ${command.type} for ${this.nameOf(command.callId)}`);
      this.carryOut(command, c);
    }
  }

  /** What the line does with a command: its rules follow the simulated line's. */
  private carryOut(command: LineCommand, c: Choices): void {
    if (c.chance(3)) {
      this.refuse(command, 'network');
      return;
    }
    if (command.type === 'dial') {
      const busy = this.session && this.session.status !== 'ended' && !this.session.wrapUp;
      if (busy) return this.refuse(command, 'invalid_state');
      const s: Session = {
        callId: command.callId,
        direction: 'outbound',
        status: 'idle',
        flow: 'regular',
        main: { number: command.to },
        consult: null,
        consultActive: false,
        answered: false,
        wrapUp: false,
      };
      this.session = s;
      this.queue.push({ via: 'line', event: { type: 'DIALER.DIALING', payload: { from: AGENT_NUMBER, to: command.to, callId: command.callId } } });
      if (c.chance(50)) this.sync(s, { direction: 'outbound', from: AGENT_NUMBER, to: command.to });
      this.status(s, 'connecting', 'regular');
      return;
    }
    const s = [this.session, this.waiting, this.held].find((x) => x?.callId === command.callId && x.status !== 'ended' && !x.wrapUp);
    if (!s) return this.refuse(command, 'no_such_call');
    const ringingInbound = s.direction === 'inbound' && s.status === 'ringing' && s.flow === 'regular';
    const inCall = s.answered;
    const connectedRegular = s.status === 'connected' && s.flow === 'regular';
    const allow = (ok: boolean, run: () => void) => (ok ? run() : this.refuse(command, 'invalid_state'));
    switch (command.type) {
      case 'answer': {
        const other = s === this.waiting ? this.session : null;
        const otherOk = !other || other.status === 'ended' || (other.status === 'connected' && other.flow === 'regular' && !other.wrapUp);
        return allow(ringingInbound && otherOk, () => {
          if (other && other.status !== 'ended') {
            // Answer and hold: the call in progress is held first.
            this.sync(other, { onHold: true });
            this.held = other;
            this.session = s;
            this.waiting = null;
          }
          this.status(s, 'accepting', 'regular');
        });
      }
      case 'decline':
        return allow(ringingInbound, () => this.end(s, 'declined', false, c));
      case 'hangUp': {
        const notAnswered = s.direction === 'outbound' && !s.answered && (s.status === 'connecting' || s.status === 'ringing');
        return allow(notAnswered || s.status === 'accepting' || inCall, () =>
          this.end(s, notAnswered ? 'cancelled' : 'localHangup', c.chance(70), c),
        );
      }
      case 'hold':
        return allow(connectedRegular, () => this.sync(s, { onHold: true }));
      case 'resume': {
        const active = s === this.held ? this.session : null;
        // Like the line's rules: the other call must be connected (it is held first) or gone.
        const otherOk = !active || active.status === 'ended' || (active.status === 'connected' && active.flow === 'regular');
        return allow(connectedRegular && otherOk, () => {
          if (active) {
            // Swap calls: the call in progress is held first.
            this.sync(active, { onHold: true });
            this.held = active;
            this.session = s;
          }
          this.sync(s, { onHold: false });
        });
      }
      case 'blindTransfer':
        return allow(connectedRegular, () => {
          this.sync(s, { onHold: true });
          this.status(s, 'blindTransferring', 'regular');
        });
      case 'conference':
        return allow(s.status === 'connected' && s.flow === 'warmTransfer', () => {
          this.status(s, 'connected', 'conference');
          this.sync(s, { activeParticipant: s.main, inactiveParticipant: null, participants: [s.main, ...(s.consult ? [s.consult] : [])], onHold: false });
        });
      case 'mute':
      case 'unmute':
        return allow(inCall, () => this.sync(s, { muted: command.type === 'mute' }));
      case 'pauseRecording':
      case 'resumeRecording':
        return allow(inCall, () => this.sync(s, { recording: { state: command.type === 'pauseRecording' ? 'paused' : 'recording' } }));
      case 'sendDigits':
        return allow(s.status === 'connected', () => {});
      case 'startWarmTransfer':
        // Transferring the call to the party already on it (an old intent clicked twice after the
        // held party left) is refused: a line cannot hold and talk to the same party.
        return allow(connectedRegular && command.target.number !== s.main.number && !this.held, () => {
          s.consult = command.target.name ? { number: command.target.number, name: command.target.name } : { number: command.target.number };
          s.consultActive = true;
          if (c.chance(20)) {
            // Some lines go straight to ringing the target.
            this.sync(s, { onHold: true });
            this.status(s, 'ringing', 'warmTransfer');
            this.syncParties(s);
          } else {
            this.status(s, 'startingWarmTransfer', 'regular');
            this.sync(s, { onHold: true });
          }
        });
      case 'swap':
        return allow(s.status === 'connected' && s.flow === 'warmTransfer', () => {
          this.status(s, 'swapping', 'warmTransfer');
          s.consultActive = !s.consultActive;
          this.syncParties(s);
        });
      case 'merge':
        return allow(s.status === 'connected' && (s.flow === 'warmTransfer' || s.flow === 'conference'), () => this.status(s, 'merging', s.flow));
      case 'cancelTransfer':
        // Like the SIP line: a transfer that is being completed can no longer be cancelled.
        return allow(s.consult !== null && s.status !== 'merging', () => this.backToMain(s, 'transferCancelled', c));
      default:
        return this.refuse(command, 'invalid_state');
    }
  }
}

/** Intents of every kind, for "an intent the state does not accept". */
const ANY_INTENT: readonly DialerEvent[] = [
  { type: 'AGENT.ANSWER' },
  { type: 'AGENT.DECLINE' },
  { type: 'AGENT.HANG_UP' },
  { type: 'AGENT.HOLD' },
  { type: 'AGENT.RESUME' },
  { type: 'AGENT.MUTE' },
  { type: 'AGENT.UNMUTE' },
  { type: 'AGENT.SEND_DIGITS', digits: '5' },
  { type: 'AGENT.START_TRANSFER', target: '+15005550001' },
  { type: 'AGENT.BLIND_TRANSFER', target: '+15005550001' },
  { type: 'AGENT.CONFERENCE' },
  { type: 'AGENT.ANSWER_WAITING' },
  { type: 'AGENT.DECLINE_WAITING' },
  { type: 'AGENT.SWAP_CALLS' },
  { type: 'AGENT.SWAP' },
  { type: 'AGENT.MERGE' },
  { type: 'AGENT.CANCEL_TRANSFER' },
  { type: 'AGENT.PAUSE_RECORDING' },
  { type: 'AGENT.RESUME_RECORDING' },
  { type: 'AGENT.SAVE_TAGS', tags: ['Support'] },
  { type: 'AGENT.RESET' },
  { type: 'AGENT.CALL_NEXT' },
  { type: 'AGENT.DIAL', number: '+14155550199' },
  { type: 'FRONT.DIAL_REFUSED', message: 'That is not a phone number.' },
];

/** One event in words, for traces. */
export function describeEvent(event: unknown, name: (callId: string) => string): string {
  if (!event || typeof event !== 'object' || !('type' in event)) return `line: ${JSON.stringify(event)?.slice(0, 60)}`;
  const e = event as { type: string; payload?: Record<string, unknown> } & Record<string, unknown>;
  const p = e.payload;
  const id = typeof p?.callId === 'string' ? name(p.callId) : typeof e.callId === 'string' ? name(e.callId) : '';
  switch (e.type) {
    case 'DIALER.CALL_STATUS':
      return `line: ${String(p?.status)}/${String(p?.flow)}${p?.reason ? ` (${String(p.reason)})` : ''} for ${id}`;
    case 'DIALER.SYNC': {
      const { callId: _, ...rest } = p ?? {};
      return `line: SYNC ${JSON.stringify(rest)} for ${id}`;
    }
    case 'DIALER.DIALING':
      return `line: DIALING for ${id}`;
    case 'LINE.COMMAND_FAILED':
      return `line refuses ${String(e.command)} for ${id} (${String(e.code)})`;
    default:
      return `${e.type.startsWith('AGENT.') || e.type.startsWith('FRONT.') || e.type.startsWith('SETTINGS.') ? '' : 'line: '}${JSON.stringify(e).slice(0, 100)}`;
  }
}
