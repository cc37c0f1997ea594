import { and, assign, emit, enqueueActions, not, sendTo, setup, stateIn } from 'xstate';
import { END_REASONS, TRANSFER_OUTCOMES } from '../telephony/terms';
import type { CallFlow, CallStatus, EndReason, Participant, SyncPayload } from '../telephony/protocol';
import type { LineCommand } from '../telephony/line';
import { noLine } from '../telephony/noLine';
import { isDtmf, isValidTagList, parseDialInput } from './dialInput';
import {
  SETTLE_AFTER_MS,
  type CallInfo,
  type CallLifecycleEvent,
  type DialerContext,
  type DialerEmitted,
  type DialerEvent,
  type DialerInput,
  type DialerTag,
  type DiagnosticCode,
  type HeldCall,
  type TelephonyEvent,
} from './types';

const END_REASON_SET: ReadonlySet<string> = new Set(END_REASONS);
const TRANSFER_OUTCOME_SET: ReadonlySet<string> = new Set(TRANSFER_OUTCOMES);

type StatusParams = { status: CallStatus; flow?: CallFlow };

const NO_CALL = {
  call: null,
  activeParticipant: null,
  inactiveParticipant: null,
  transferTarget: null,
  transferTargetJoined: false,
  onHold: false,
  muted: false,
  recording: null,
  recordingUrl: null,
  audioStats: null,
  duration: null,
  participants: [],
  digitsSent: '',
  tags: [],
  endReason: null,
  transferOutcome: null,
  pendingExtension: null,
  inputError: null,
  lastError: null,
  recovered: null,
  lastHeldEnd: null,
} satisfies Partial<DialerContext>;

/** How long after connecting an extension is sent: IVRs drop tones sent before they listen. */
export const EXTENSION_DELAY_MS = 2000;

/** The number and extension an outbound-call event asks for, before validation. */
function requestedCall(context: DialerContext, event: DialerEvent): { number: string; extension?: string; name?: string } | null {
  if (event.type === 'AGENT.DIAL' || event.type === 'FRONT.DIAL_REQUEST') {
    return { number: event.number, extension: event.extension, name: typeof event.name === 'string' ? event.name : undefined };
  }
  if (event.type === 'AGENT.CALL_NEXT') return context.nextCall;
  return null;
}

function newCallId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function eventCallId(event: DialerEvent): string | undefined {
  return 'payload' in event && event.payload && 'callId' in event.payload ? event.payload.callId : undefined;
}

function diagnostic(code: DiagnosticCode, message: string, callId: string | null, eventType?: string): DialerEmitted {
  return { type: 'DIAGNOSTIC', detail: { callId, code, message, ...(eventType ? { eventType } : {}) } };
}

function callEvent<T extends (TelephonyEvent | CallLifecycleEvent)['type']>(
  type: T,
  callId: string,
  detail: Omit<Extract<TelephonyEvent | CallLifecycleEvent, { type: T }>['detail'], 'callId'>,
): DialerEmitted {
  return { type, detail: { callId, ...detail } } as DialerEmitted;
}

/** The end reason a DIALER.CALL_STATUS names, when it names a valid one. */
function statusReason(event: DialerEvent): EndReason | null {
  return event.type === 'DIALER.CALL_STATUS' && event.payload.reason && END_REASON_SET.has(event.payload.reason)
    ? (event.payload.reason as EndReason)
    : null;
}

/** The name Front (or the agent's pick) gave the call's party, where the line knows none. */
function withKnownName(party: Participant, remote: Participant): Participant {
  return !party.name && remote.name && party.number === remote.number ? { ...party, name: remote.name } : party;
}

function sameParty(a: Participant | null, b: Participant | null | undefined): boolean {
  return (a?.number ?? null) === (b?.number ?? null);
}

/** A DIALER.CALL_STATUS with `status` about the call `callId` (the waiting or the held call). */
function statusAbout(event: DialerEvent, callId: string | undefined, status: CallStatus): boolean {
  return event.type === 'DIALER.CALL_STATUS' && callId !== undefined && event.payload.callId === callId && event.payload.status === status;
}

/** The call on screen, put aside on hold while the agent talks on the other one. */
function holdAside(context: DialerContext): HeldCall {
  return {
    call: context.call!,
    activeParticipant: context.activeParticipant,
    muted: context.muted,
    recording: context.recording,
    recordingUrl: context.recordingUrl,
    participants: context.participants,
    digitsSent: context.digitsSent,
    tags: context.tags,
    transferOutcome: context.transferOutcome,
  };
}

/** A held call back on screen, still on hold until the line says otherwise. */
function bringBack(held: HeldCall): Partial<DialerContext> {
  return { ...NO_CALL, ...held, onHold: true };
}

/** An inbound call as a line's announcing DIALER.SYNC names it. */
function inboundCall({ callId, from, to, callerName }: SyncPayload): CallInfo {
  const remote: Participant = { number: from!, ...(callerName ? { name: callerName } : {}) };
  return { callId, direction: 'inbound', from: from!, to: to ?? '', remote, startedAt: Date.now(), connectedAt: null, endedAt: null };
}

function started(call: CallInfo): DialerEmitted {
  return callEvent('CALL_STARTED', call.callId, { callType: call.direction, participant: call.remote.number, ...(call.remote.name ? { name: call.remote.name } : {}) });
}

/** CALL_SETTLED: the call's record is final. */
function settled(call: CallInfo, reason: EndReason, duration: number | null, tags: string[], recordingUrl: string | null, endedAt = call.endedAt): DialerEmitted {
  return {
    type: 'CALL_SETTLED',
    detail: { callId: call.callId, callType: call.direction, participant: call.remote.number, ...(call.remote.name ? { participantName: call.remote.name } : {}), reason, connectedAt: call.connectedAt, endedAt, duration, tags, recordingUrl },
  };
}

/** The end of a second incoming call the agent never talked to (busy or waiting), as the call log and Front hear it. */
function unansweredCall(call: CallInfo, reason: EndReason): DialerEmitted[] {
  return [
    callEvent('CALL_ENDED', call.callId, { callType: 'inbound', participant: call.remote.number, reason }),
    callEvent('RINGING_STOPPED', call.callId, { caller: call.remote, reason: reason === 'busy' ? 'missed' : reason }),
    settled(call, reason, 0, [], null, Date.now()),
  ];
}

/** Placing a call, from idle or after the previous call ended: the agent, Front's Call button, or "Call next". */
const PLACE_CALL = {
  'AGENT.DIAL': [
    { guard: 'dialable', target: '#dialer.inCall.call.connecting', actions: ['startOutboundCall', 'sendDial'] },
    { actions: 'refuseNumber' },
  ],
  'FRONT.DIAL_REQUEST': [
    { guard: 'dialable', target: '#dialer.inCall.call.connecting', actions: ['startOutboundCall', 'sendDial'] },
    { actions: 'refuseNumber' },
  ],
  'AGENT.CALL_NEXT': { guard: 'dialable', target: '#dialer.inCall.call.connecting', actions: ['startOutboundCall', 'sendDial'] },
} as const;

/** Tones, where the line can send them: refused with a message only when the digits are wrong. */
const SEND_DIGITS = {
  'AGENT.SEND_DIGITS': [
    { guard: and(['canSendDigits', 'validDigits']), actions: 'sendDigits' },
    { guard: 'canSendDigits', actions: 'refuseInput' },
  ],
} as const;

/**
 * The dialer's call lifecycle (DIALER.CALL_STATUS of the seed), the single source of truth for
 * what the agent sees. Line events enter in the seed's protocol, already validated by the line
 * bridge; agent intents become line commands. Status changes follow the line: an intent sends a
 * command and the state moves only when the line reports the outcome (dialling is the one
 * exception: the agent sees "Calling ..." at once).
 *
 * A state takes exactly the intents the agent can act on now, so `snapshot.can(event)` is what
 * the UI offers; anything else is ignored and reported as a DIAGNOSTIC (intents through
 * DialerActor). A state refuses an intent its parent takes with an empty transition (`{}`).
 * State tags name the groups the outside world asks about ({@link DialerTag}); what happens to a
 * call is emitted (telephony and lifecycle events), never left for others to infer from snapshots.
 */
export const dialerMachine = setup({
  types: {
    context: {} as DialerContext,
    events: {} as DialerEvent,
    input: {} as DialerInput,
    emitted: {} as DialerEmitted,
    tags: {} as DialerTag,
  },
  actors: { line: noLine },
  delays: { EXTENSION_DELAY: EXTENSION_DELAY_MS, SETTLE_DELAY: SETTLE_AFTER_MS },
  guards: {
    /** A FRONT.PARTY_NAME for the call on screen, whose party has no name yet. */
    namesNamelessParty: ({ context, event }) =>
      event.type === 'FRONT.PARTY_NAME' && context.call !== null && context.call.callId === event.callId && !context.call.remote.name && event.name.trim().length > 0,
    /** A CALL_STATUS with this status (and flow) about the call on screen. */
    isStatus: ({ context, event }, params: StatusParams) =>
      event.type === 'DIALER.CALL_STATUS' &&
      event.payload.status === params.status &&
      (params.flow === undefined || event.payload.flow === params.flow) &&
      context.call !== null &&
      (event.payload.callId === undefined || event.payload.callId === context.call.callId),
    ringsAnnouncedCall: ({ context, event }) =>
      event.type === 'DIALER.CALL_STATUS' &&
      event.payload.status === 'ringing' &&
      context.announced !== null &&
      event.payload.callId === context.announced.callId,
    dialable: ({ context, event }) => {
      const request = requestedCall(context, event);
      return request !== null && parseDialInput(request.number).ok && (request.extension === undefined || isDtmf(request.extension));
    },
    hasPendingExtension: ({ context }) => context.pendingExtension !== null,
    /** The first DIALER.DIALING for the call being dialled (until then its `from` is unknown). */
    acknowledgesDial: ({ context, event }) =>
      event.type === 'DIALER.DIALING' &&
      context.call !== null &&
      context.call.from === '' &&
      (event.payload.callId === undefined || event.payload.callId === context.call.callId),
    announcesInbound: ({ context, event }) =>
      event.type === 'DIALER.SYNC' &&
      event.payload.direction === 'inbound' &&
      event.payload.from !== undefined &&
      event.payload.callId !== context.call?.callId &&
      event.payload.callId !== context.waiting?.callId &&
      event.payload.callId !== context.held?.call.callId,
    /** Call waiting is on (the setting) and the line can do it. */
    canWait: ({ context }) => context.settings.callWaiting && context.capabilities.callWaiting === true,
    hasWaiting: ({ context }) => context.waiting !== null,
    hasHeld: ({ context }) => context.held !== null,
    waitingRings: ({ context, event }) => statusAbout(event, context.waiting?.callId, 'ringing'),
    waitingAccepted: ({ context, event }) => statusAbout(event, context.waiting?.callId, 'accepting'),
    waitingEnded: ({ context, event }) => statusAbout(event, context.waiting?.callId, 'ended'),
    syncForWaiting: ({ context, event }) => event.type === 'DIALER.SYNC' && event.payload.callId === context.waiting?.callId,
    heldEnded: ({ context, event }) => statusAbout(event, context.held?.call.callId, 'ended'),
    /** A status of the held call other than its end (a late hanging): nothing to show. */
    aboutHeld: ({ context, event }) => event.type === 'DIALER.CALL_STATUS' && context.held !== null && event.payload.callId === context.held.call.callId,
    syncForHeld: ({ context, event }) => event.type === 'DIALER.SYNC' && context.held !== null && event.payload.callId === context.held.call.callId,
    /** The line resumed the held call (after "Swap calls"): it comes on screen, the other goes aside. */
    heldResumed: ({ context, event }) =>
      event.type === 'DIALER.SYNC' && context.held !== null && event.payload.callId === context.held.call.callId && event.payload.onHold === false,
    /**
     * A waiting call can be answered only while the call on screen is connected in the regular
     * flow (talking or held): the line holds it and the agent has one held call to come back to.
     * Not while dialling or answering (no call to hold yet), not in a warm transfer, a conference
     * or a blind transfer (a leg already waits on an outcome), not in wrap-up (tag first).
     */
    canAnswerWaiting: stateIn({ inCall: { call: 'connected' } }),
    canBlindTransfer: ({ context }) => context.capabilities.blindTransfer === true && !context.onHold,
    validBlindTarget: ({ event }) => event.type === 'AGENT.BLIND_TRANSFER' && parseDialInput(event.target).ok,
    canConference: ({ context }) => context.capabilities.threeWayCall === true,
    syncForCall: ({ context, event }) =>
      event.type === 'DIALER.SYNC' && context.call !== null && event.payload.callId === context.call.callId,
    commandFailedForCall: ({ context, event }) =>
      event.type === 'LINE.COMMAND_FAILED' && context.call !== null && event.callId === context.call.callId,
    dialFailed: ({ context, event }) =>
      event.type === 'LINE.COMMAND_FAILED' && event.command === 'dial' && event.callId === context.call?.callId,
    isInbound: ({ context }) => context.call?.direction === 'inbound',
    canHold: ({ context }) => context.capabilities.hold && !context.onHold,
    canResume: ({ context }) => context.capabilities.hold && context.onHold,
    canMute: ({ context }) => context.capabilities.mute && !context.muted,
    canUnmute: ({ context }) => context.capabilities.mute && context.muted,
    canSendDigits: ({ context }) => context.capabilities.dtmf,
    validDigits: ({ event }) => event.type === 'AGENT.SEND_DIGITS' && isDtmf(event.digits),
    /** Not while on hold: the agent resumes first (both lines would take it; the UI never offered it). */
    canTransfer: ({ context }) => context.capabilities.warmTransfer && !context.onHold,
    validTransferTarget: ({ event }) => event.type === 'AGENT.START_TRANSFER' && parseDialInput(event.target).ok,
    canPauseRecording: ({ context }) => context.capabilities.recording && context.recording === 'recording',
    canResumeRecording: ({ context }) => context.capabilities.recording && context.recording === 'paused',
    validTags: ({ event }) => event.type === 'AGENT.SAVE_TAGS' && Array.isArray(event.tags) && isValidTagList(event.tags),
    isTagged: ({ context }) => context.tags.length > 0,
    recoversTagging: ({ event }) => event.type === 'SESSION.RECOVER' && event.from === 'tagging',
    recoversLive: ({ event }) => event.type === 'SESSION.RECOVER' && event.from === 'live',
    recoversEnded: ({ event }) => event.type === 'SESSION.RECOVER' && event.from === 'ended',
    /** The line's own wrap-up, for a call that connected (nobody tags a call that never did). */
    lineWrapsUp: ({ context, event }) =>
      event.type === 'DIALER.CALL_STATUS' &&
      event.payload.status === 'mandatoryTagging' &&
      context.call?.connectedAt != null &&
      (event.payload.callId === undefined || event.payload.callId === context.call.callId),
    /** Only a call that connected needs wrap-up: nobody tags a busy signal. */
    needsTagging: ({ context }) =>
      context.settings.mandatoryTagging && context.tags.length === 0 && context.call?.connectedAt != null,
  },
  actions: {
    /** A call taken over from a page that went away (SESSION.RECOVER): a live one ended with it. */
    recoverCall: assign(({ event }) => {
      if (event.type !== 'SESSION.RECOVER') return {};
      const live = event.from === 'live';
      const call = live ? { ...event.call, endedAt: Math.max(event.lastSeenAt, event.call.startedAt) } : event.call;
      return {
        ...NO_CALL,
        announced: null,
        call,
        activeParticipant: call.remote,
        tags: [...event.tags],
        endReason: live ? 'connectionLost' : event.endReason,
        recovered: event.from,
      };
    }),
    startOutboundCall: assign(({ context, event }) => {
      const request = requestedCall(context, event);
      const parsed = parseDialInput(request?.number ?? '');
      if (!parsed.ok) return {};
      const call: CallInfo = {
        callId: newCallId(),
        direction: 'outbound',
        from: '',
        to: parsed.number,
        remote: request?.name ? { number: parsed.number, name: request.name } : { number: parsed.number },
        startedAt: Date.now(),
        connectedAt: null,
        endedAt: null,
      };
      const nextCall = context.nextCall?.number === parsed.number ? null : context.nextCall;
      return { ...NO_CALL, announced: null, call, activeParticipant: call.remote, nextCall, pendingExtension: request?.extension ?? null };
    }),
    refuseNumber: enqueueActions(({ enqueue, context, event }) => {
      const request = requestedCall(context, event);
      if (!request) return;
      const parsed = parseDialInput(request.number);
      const error = parsed.ok ? 'That extension can only contain 0-9, * and #.' : parsed.error;
      enqueue.assign({ inputError: error });
      enqueue.emit(diagnostic('invalid_input', error, null, event.type));
    }),
    refuseWhileWrappingUp: enqueueActions(({ enqueue, context, event }) => {
      const error = 'Tag the previous call before making a new one.';
      enqueue.assign({ inputError: error });
      enqueue.emit(diagnostic('invalid_input', error, context.call?.callId ?? null, event.type));
    }),
    refuseInput: enqueueActions(({ enqueue, context, event }) => {
      const error =
        event.type === 'AGENT.START_TRANSFER' || event.type === 'AGENT.BLIND_TRANSFER'
          ? (parseDialInput(event.target) as { error?: string }).error ?? 'Enter a phone number.'
          : event.type === 'AGENT.SAVE_TAGS'
            ? 'Pick at least one tag.'
            : 'Only 0-9, * and # can be sent as tones.';
      enqueue.assign({ inputError: error });
      enqueue.emit(diagnostic('invalid_input', error, context.call?.callId ?? null, event.type));
    }),
    clearInputError: assign({ inputError: null }),
    /** Keeps a Call-button number for later instead of dropping the call in progress. */
    queueNextCall: enqueueActions(({ enqueue, context, event }, params: { wrappingUp: boolean }) => {
      if (event.type !== 'FRONT.DIAL_REQUEST' || !parseDialInput(event.number).ok) return;
      enqueue.assign({
        nextCall: { number: event.number, ...(event.extension ? { extension: event.extension } : {}), ...(event.name ? { name: event.name } : {}) },
      });
      if (params.wrappingUp) {
        enqueue.assign({ inputError: `Tag the previous call before calling ${event.number}.` });
      }
      enqueue.emit(diagnostic('invalid_input', `Kept ${event.number} to call next: a call is in progress.`, context.call?.callId ?? null, event.type));
    }),
    dismissNextCall: assign({ nextCall: null }),
    refuseHostNumber: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'FRONT.DIAL_REFUSED' && event.type !== 'AGENT.NUMBER_REFUSED') return;
      enqueue.assign({ inputError: event.message });
      enqueue.emit(diagnostic('invalid_input', event.message, context.call?.callId ?? null, event.type));
    }),
    sendExtension: enqueueActions(({ enqueue, context }) => {
      if (!context.call || !context.pendingExtension) return;
      enqueue.sendTo('line', { type: 'sendDigits', callId: context.call.callId, digits: context.pendingExtension } satisfies LineCommand);
      enqueue.assign({ digitsSent: (context.digitsSent + context.pendingExtension).slice(-64), pendingExtension: null });
    }),
    sendDial: sendTo('line', ({ context }): LineCommand => ({ type: 'dial', callId: context.call!.callId, to: context.call!.to })),
    /** Sends the command named in params for the call on screen. */
    command: sendTo('line', ({ context }, params: { type: Exclude<LineCommand['type'], 'dial' | 'sendDigits' | 'startWarmTransfer' | 'blindTransfer'> }) => ({
      type: params.type,
      callId: context.call!.callId,
    })),
    /** Answers or declines the waiting call. */
    commandWaiting: sendTo('line', ({ context }, params: { type: 'answer' | 'decline' }) => ({ type: params.type, callId: context.waiting!.callId })),
    /** "Swap calls": the line holds the call on screen, then resumes the held one. */
    resumeHeld: sendTo('line', ({ context }): LineCommand => ({ type: 'resume', callId: context.held!.call.callId })),
    blindTransfer: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'AGENT.BLIND_TRANSFER' || !context.call) return;
      const parsed = parseDialInput(event.target);
      if (!parsed.ok) return;
      const target: Participant = { number: parsed.number, ...(event.name ? { name: event.name } : {}) };
      enqueue.assign({ transferTarget: target, transferOutcome: null, inputError: null });
      enqueue.sendTo('line', { type: 'blindTransfer', callId: context.call.callId, target } satisfies LineCommand);
    }),
    /** The blind transfer did not land: the agent is back with the party, and why. */
    endBlindTransfer: assign(({ event }) => ({
      transferOutcome:
        event.type === 'DIALER.CALL_STATUS' && event.payload.reason && TRANSFER_OUTCOME_SET.has(event.payload.reason)
          ? (event.payload.reason as NonNullable<DialerContext['transferOutcome']>)
          : 'transferFailed',
      transferTarget: null,
    })),
    /** Nobody is held in a conference. */
    joinConference: assign({ inactiveParticipant: null }),
    startConference: emit(({ context }) =>
      callEvent('CONFERENCE', context.call!.callId, {
        participants: [context.call!.remote.number, ...(context.transferTarget ? [context.transferTarget.number] : [])],
      }),
    ),
    /** A second caller rings during a call or wrap-up: announced, and Front and the call log hear of it. */
    announceWaiting: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'DIALER.SYNC' || !event.payload.from) return;
      const waiting = inboundCall(event.payload);
      enqueue.assign({ waiting });
      enqueue.emit(started(waiting));
    }),
    /** The waiting call ended before it was answered (declined, rang out, answered elsewhere). */
    endWaitingCall: enqueueActions(({ enqueue, context, event }) => {
      if (!context.waiting) return;
      for (const emitted of unansweredCall(context.waiting, statusReason(event) ?? 'missed')) enqueue.emit(emitted);
      enqueue.assign({ waiting: null });
    }),
    /** The waiting call is being answered: it comes on screen, the call that was there is held aside. */
    takeWaitingCall: enqueueActions(({ enqueue, context }) => {
      const waiting = context.waiting;
      if (!waiting || !context.call) return;
      enqueue.emit(callEvent('RINGING_STOPPED', waiting.callId, { caller: waiting.remote, reason: null }));
      enqueue.assign({ ...NO_CALL, held: holdAside(context), waiting: null, call: { ...waiting, startedAt: Date.now() }, activeParticipant: waiting.remote });
    }),
    /** After wrap-up (or with none owed) the waiting call rings as the call on screen. */
    promoteWaiting: assign(({ context }) =>
      context.waiting ? { ...NO_CALL, call: context.waiting, activeParticipant: context.waiting.remote, waiting: null } : {},
    ),
    /** The line resumed the held call: the two calls change places. */
    swapCalls: enqueueActions(({ enqueue, context }) => {
      if (!context.held || !context.call) return;
      enqueue.emit(callEvent('RESUME', context.held.call.callId, {}));
      enqueue.assign({ ...bringBack(context.held), onHold: false, held: holdAside(context) });
    }),
    /** The held call's SYNC: only its hold matters (Front shows it). */
    applyHeldSync: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'DIALER.SYNC' || !context.held || event.payload.onHold !== true) return;
      enqueue.emit(callEvent('HOLD', context.held.call.callId, {}));
    }),
    /** The held call ended (its party hung up, the connection dropped): it settles with what it had. */
    endHeldCall: enqueueActions(({ enqueue, context, event }) => {
      const held = context.held;
      if (!held) return;
      const { call } = held;
      const reason = statusReason(event) ?? 'remoteHangup';
      const endedAt = Date.now();
      enqueue.emit(callEvent('CALL_ENDED', call.callId, { callType: call.direction, participant: call.remote.number, reason }));
      const duration = Math.max(0, Math.round((endedAt - (call.connectedAt ?? endedAt)) / 1000));
      enqueue.emit(settled(call, reason, duration, held.tags, held.recordingUrl, endedAt));
      enqueue.assign({ held: null, lastHeldEnd: { party: held.call.remote, reason } });
    }),
    sendDigits: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'AGENT.SEND_DIGITS' || !context.call) return;
      enqueue.sendTo('line', { type: 'sendDigits', callId: context.call.callId, digits: event.digits } satisfies LineCommand);
      enqueue.assign({ digitsSent: (context.digitsSent + event.digits).slice(-64) });
    }),
    startTransfer: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'AGENT.START_TRANSFER' || !context.call) return;
      const parsed = parseDialInput(event.target);
      if (!parsed.ok) return;
      const target: Participant = { number: parsed.number, ...(event.name ? { name: event.name } : {}) };
      enqueue.assign({ transferTarget: target, transferTargetJoined: false, transferOutcome: null, inputError: null });
      enqueue.sendTo('line', { type: 'startWarmTransfer', callId: context.call.callId, target } satisfies LineCommand);
    }),
    acknowledgeDial: assign(({ context, event }) => {
      if (event.type !== 'DIALER.DIALING' || !context.call) return {};
      return { call: { ...context.call, from: event.payload.from, to: event.payload.to } };
    }),
    emitCallStarted: emit(({ context }) => started(context.call!)),
    announceInbound: assign(({ event }) => (event.type === 'DIALER.SYNC' && event.payload.from ? { announced: inboundCall(event.payload) } : {})),
    startInboundCall: assign(({ context }) => ({
      ...NO_CALL,
      call: { ...context.announced!, startedAt: Date.now() },
      announced: null,
      activeParticipant: context.announced!.remote,
    })),
    /**
     * A caller the agent cannot take now (call waiting off, or two calls already): declined as
     * busy, and still a missed call for Front and the call log, so the teammate knows.
     */
    declineBusy: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'DIALER.SYNC' || !event.payload.from) return;
      const call = inboundCall(event.payload);
      enqueue.sendTo('line', { type: 'decline', callId: call.callId } satisfies LineCommand);
      enqueue.emit(diagnostic('busy_declined', `Declined an incoming call from ${call.from} while busy.`, call.callId, event.type));
      for (const emitted of [started(call), ...unansweredCall(call, 'busy')]) enqueue.emit(emitted);
    }),
    markConnected: enqueueActions(({ enqueue, context }) => {
      if (!context.call || context.call.connectedAt !== null) return;
      enqueue.assign({ call: { ...context.call, connectedAt: Date.now() } });
      enqueue.emit(callEvent('CALL_CONNECTED', context.call.callId, { callType: context.call.direction, participant: context.call.remote.number }));
    }),
    markEnded: enqueueActions(({ enqueue, context, event }) => {
      if (!context.call || context.call.endedAt !== null) return;
      const reason =
        statusReason(event) ??
        (event.type === 'LINE.COMMAND_FAILED' ? 'failed' : (context.endReason ?? (context.call.connectedAt ? 'remoteHangup' : 'failed')));
      enqueue.assign({
        call: { ...context.call, endedAt: Date.now() },
        endReason: reason,
        onHold: false,
        muted: false,
        inactiveParticipant: null,
        audioStats: null,
        pendingExtension: null,
      });
      if (reason === 'transferred' && context.capabilities.conference && context.activeParticipant && context.inactiveParticipant) {
        enqueue.emit(
          callEvent('CONFERENCE', context.call.callId, {
            participants: [context.inactiveParticipant.number, context.activeParticipant.number],
          }),
        );
      }
      enqueue.emit(
        callEvent('CALL_ENDED', context.call.callId, { callType: context.call.direction, participant: context.call.remote.number, reason }),
      );
    }),
    /** Remembers why the call is hanging up, in case the final `ended` carries no reason. */
    /** Hanging up ends every leg: a warm transfer's held party and target go with it. */
    noteHangingReason: assign(({ context, event }) => ({
      endReason: statusReason(event) ?? context.endReason,
      inactiveParticipant: null,
      transferTarget: null,
    })),
    /** Applies the line's call details; a held party exists only during a warm transfer. */
    applySync: enqueueActions(({ enqueue, context, event }, params: { transfer: boolean }) => {
      if (event.type !== 'DIALER.SYNC' || !context.call) return;
      const p: SyncPayload = event.payload;
      const callId = context.call.callId;
      const patch: Partial<DialerContext> = {};
      if (p.onHold !== undefined && p.onHold !== context.onHold) {
        patch.onHold = p.onHold;
        enqueue.emit(callEvent(p.onHold ? 'HOLD' : 'RESUME', callId, {}));
      }
      if (p.muted !== undefined && p.muted !== context.muted) {
        patch.muted = p.muted;
        enqueue.emit(callEvent(p.muted ? 'MUTE' : 'UNMUTE', callId, {}));
      }
      if (p.recording !== undefined) {
        const next = p.recording?.state ?? null;
        if (context.recording && next && next !== context.recording) {
          enqueue.emit(callEvent(next === 'paused' ? 'PAUSE_RECORDING' : 'RESUME_RECORDING', callId, {}));
        }
        patch.recording = next;
        if (p.recording?.url && p.recording.url !== context.recordingUrl) {
          patch.recordingUrl = p.recording.url;
          enqueue.emit(callEvent('RECORDING_AVAILABLE', callId, { url: p.recording.url }));
        }
      }
      if (p.activeParticipant) patch.activeParticipant = withKnownName(p.activeParticipant, context.call.remote);
      if (params.transfer && p.inactiveParticipant !== undefined) patch.inactiveParticipant = p.inactiveParticipant;
      if (p.participants) patch.participants = p.participants;
      if (p.duration !== undefined) patch.duration = p.duration;
      if (p.audioStats) {
        patch.audioStats = p.audioStats;
        enqueue.emit(callEvent('AUDIO_STATS', callId, { stats: p.audioStats }));
      }
      enqueue.assign(patch);
    }),
    emitSwapIfSwapped: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'DIALER.SYNC' || !context.call) return;
      const { activeParticipant, inactiveParticipant } = event.payload;
      if (!activeParticipant || !inactiveParticipant || sameParty(context.activeParticipant, activeParticipant)) return;
      enqueue.emit(
        callEvent('SWAP', context.call.callId, { activeParticipant: activeParticipant.number, inactiveParticipant: inactiveParticipant.number }),
      );
    }),
    transferAnswered: enqueueActions(({ enqueue, context }) => {
      const target = context.transferTarget ?? context.activeParticipant;
      enqueue.assign({ transferTargetJoined: true });
      if (context.call && target) {
        enqueue.emit(
          callEvent('PARTICIPANT_ADDED', context.call.callId, { participant: target.number, ...(target.name ? { name: target.name } : {}) }),
        );
      }
    }),
    /** Back to the regular flow: who left depends on the outcome the line reports. */
    endTransfer: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'DIALER.CALL_STATUS' || !context.call) return;
      const outcome = event.payload.reason && TRANSFER_OUTCOME_SET.has(event.payload.reason)
        ? (event.payload.reason as NonNullable<DialerContext['transferOutcome']>)
        : 'transferCancelled';
      const original = context.call.remote;
      const leaving = outcome === 'heldPartyLeft' ? original : context.transferTarget;
      if (leaving && (outcome === 'heldPartyLeft' || context.transferTargetJoined)) {
        enqueue.emit(callEvent('PARTICIPANT_REMOVED', context.call.callId, { participant: leaving.number, reason: outcome }));
      }
      enqueue.assign({
        transferOutcome: outcome,
        transferTarget: null,
        transferTargetJoined: false,
        inactiveParticipant: null,
        activeParticipant: outcome === 'heldPartyLeft' ? (context.transferTarget ?? context.activeParticipant) : original,
      });
    }),
    recordCommandFailure: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'LINE.COMMAND_FAILED') return;
      enqueue.assign({ lastError: { command: event.command, code: event.code, message: event.message } });
      enqueue.emit(diagnostic('command_failed', `${event.command}: ${event.message}`, event.callId, event.type));
    }),
    clearTransferRequest: assign({ transferTarget: null }),
    saveTags: enqueueActions(({ enqueue, context, event }) => {
      if (event.type !== 'AGENT.SAVE_TAGS' || !context.call) return;
      const tags = [...new Set(event.tags.map((t) => t.trim()))];
      enqueue.assign({ tags, inputError: null });
      enqueue.emit(callEvent('TAGS_SAVED', context.call.callId, { tags }));
    }),
    startWrapUp: enqueueActions(({ enqueue, context }) => {
      enqueue.assign({ availability: 'after_call_work' });
      if (context.call) enqueue.emit(callEvent('WRAP_UP_STARTED', context.call.callId, {}));
    }),
    /** The incoming call stopped ringing for the agent: why, when the line ended it. */
    emitRingingStopped: emit(({ context, event }) =>
      callEvent('RINGING_STOPPED', context.call!.callId, { caller: context.call!.remote, reason: statusReason(event) }),
    ),
    emitCallSettled: emit(({ context }) => settled(context.call!, context.endReason ?? 'failed', context.duration, context.tags, context.recordingUrl)),
    endWrapUp: enqueueActions(({ enqueue, context }) => {
      enqueue.assign({ availability: 'available' });
      if (context.call) enqueue.emit(callEvent('WRAP_UP_ENDED', context.call.callId, { tags: context.tags }));
    }),
    assignPartyName: assign(({ context, event }) => {
      if (event.type !== 'FRONT.PARTY_NAME' || !context.call) return {};
      const remote: Participant = { ...context.call.remote, name: event.name.trim() };
      const named = (party: Participant | null) => (party ? withKnownName(party, remote) : party);
      return {
        call: { ...context.call, remote },
        activeParticipant: named(context.activeParticipant),
        participants: context.participants.map((party) => withKnownName(party, remote)),
      };
    }),
    assignAvailability: assign(({ event }) => (event.type === 'USER.AVAILABILITY_CHANGED' ? { availability: event.payload.status } : {})),
    updateSettings: assign(({ context, event }) =>
      event.type === 'SETTINGS.UPDATE' ? { settings: { ...context.settings, ...event.settings } } : {},
    ),
    reset: assign({ ...NO_CALL, announced: null }),
    /** The held call comes back on screen (still on hold) after the call on screen ended. */
    restoreHeld: assign(({ context }) => (context.held ? { ...bringBack(context.held), held: null } : {})),
    switchLine: assign(({ event }) => (event.type === 'LINE.SWITCHED' ? { capabilities: event.capabilities } : {})),
    reportMalformed: emit(({ context, event }) =>
      diagnostic(
        'malformed_event',
        `The line sent an event outside the protocol: ${event.type === 'LINE.MALFORMED' ? event.problems.join('; ') : event.type}`,
        context.call?.callId ?? null,
      ),
    ),
    /** An event no state took: said in words when the agent should know why, else reported. */
    reportUnhandled: enqueueActions(({ enqueue, context, event }) => {
      const unhandled = event.type === 'MACHINE.UNHANDLED' ? event.event : event;
      const onCall = context.call !== null && context.call.connectedAt !== null && context.call.endedAt === null;
      if (unhandled.type === 'AGENT.START_TRANSFER' && onCall && !context.capabilities.warmTransfer) {
        const error = 'This line cannot transfer calls.';
        enqueue.assign({ inputError: error });
        enqueue.emit(diagnostic('invalid_input', error, context.call!.callId, unhandled.type));
        return;
      }
      const callId = eventCallId(unhandled);
      const stale = callId !== undefined && callId !== context.call?.callId && callId !== context.announced?.callId;
      enqueue.emit(
        diagnostic(
          stale ? 'stale_event' : 'ignored_event',
          stale ? `${unhandled.type} is about call ${callId}, not the call on screen.` : `${unhandled.type} does not apply now.`,
          context.call?.callId ?? null,
          unhandled.type,
        ),
      );
    }),
  },
}).createMachine({
  id: 'dialer',
  context: ({ input }) => ({
    ...NO_CALL,
    announced: null,
    waiting: null,
    held: null,
    nextCall: null,
    settings: { mandatoryTagging: false, callWaiting: true, ...input.settings },
    capabilities: input.capabilities,
    availability: 'available',
  }),
  invoke: { id: 'line', src: 'line' },
  on: {
    // An incoming call while the agent cannot take it (call waiting off, two calls already) is declined as busy.
    'DIALER.SYNC': [{ guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: false } } }, { guard: 'announcesInbound', actions: 'declineBusy' }],
    'USER.AVAILABILITY_CHANGED': { actions: 'assignAvailability' },
    'LINE.MALFORMED': { actions: 'reportMalformed' },
    'LINE.COMMAND_FAILED': { actions: 'recordCommandFailure' },
    'SETTINGS.UPDATE': { actions: 'updateSettings' },
    'LINE.SWITCHED': { actions: 'switchLine' },
    'AGENT.CLEAR_ERROR': { actions: 'clearInputError' },
    'AGENT.DISMISS_NEXT': { actions: 'dismissNextCall' },
    'FRONT.DIAL_REQUEST': { actions: { type: 'queueNextCall', params: { wrappingUp: false } } },
    'FRONT.DIAL_REFUSED': { actions: 'refuseHostNumber' },
    'FRONT.PARTY_NAME': { guard: 'namesNamelessParty', actions: 'assignPartyName' },
    'AGENT.NUMBER_REFUSED': { actions: 'refuseHostNumber' },
    // What no state took: the line's events here, agent intents through DialerActor (a catch-all
    // for intents would make `snapshot.can` true for all of them).
    'DIALER.*': { actions: 'reportUnhandled' },
    'MACHINE.UNHANDLED': { actions: 'reportUnhandled' },
  },
  initial: 'idle',
  states: {
    idle: {
      on: {
        ...PLACE_CALL,
        'SESSION.RECOVER': [
          { guard: 'recoversTagging', target: 'mandatoryTagging', actions: 'recoverCall' },
          { guard: 'recoversLive', target: 'wrapUp', actions: 'recoverCall' },
          { guard: 'recoversEnded', target: 'ended', actions: 'recoverCall' },
        ],
        'DIALER.SYNC': [{ guard: 'announcesInbound', actions: 'announceInbound' }, { guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: false } } }],
        'DIALER.CALL_STATUS': { guard: 'ringsAnnouncedCall', target: '#dialer.inCall.call.ringing', actions: ['startInboundCall', 'emitCallStarted'] },
      },
    },

    // A call in progress, from dialling or ringing until the line says it ended. Two regions: the
    // call on screen (`call`: the seed's lifecycle, plus the conference and the blind transfer)
    // and the other call (`other`: none, a waiting call ringing, or an answered call on hold).
    // Hang-up and the way every call ends are written once here; the states below add theirs.
    inCall: {
      type: 'parallel',
      tags: ['busy', 'inCall'],
      on: {
        'AGENT.HANG_UP': { actions: { type: 'command', params: { type: 'hangUp' } } },
        'DIALER.CALL_STATUS': [
          { guard: { type: 'isStatus', params: { status: 'hanging' } }, target: '.call.hanging', actions: 'noteHangingReason' },
          // Not while another call is held: that call stays on screen; the line's end follows.
          { guard: and(['lineWrapsUp', not('hasHeld')]), target: '#dialer.mandatoryTagging', actions: 'markEnded' },
          { guard: { type: 'isStatus', params: { status: 'ended' } }, target: '#dialer.wrapUp', actions: 'markEnded' },
        ],
        'DIALER.SYNC': [
          { guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: false } } },
          { guard: 'announcesInbound', actions: 'declineBusy' },
        ],
      },
      states: {
        // The other call: a second caller during this one (call waiting), or the answered call on hold.
        other: {
          initial: 'none',
          states: {
            none: {
              on: {
                'DIALER.SYNC': { guard: and(['announcesInbound', 'canWait']), target: 'waiting', actions: 'announceWaiting' },
              },
            },
            // A second caller rings: it can be declined at once, answered when the call on screen allows.
            waiting: {
              tags: ['callWaiting'],
              on: {
                'AGENT.ANSWER_WAITING': { guard: 'canAnswerWaiting', actions: { type: 'commandWaiting', params: { type: 'answer' } } },
                'AGENT.DECLINE_WAITING': { actions: { type: 'commandWaiting', params: { type: 'decline' } } },
                'DIALER.SYNC': { guard: 'syncForWaiting' },
                'DIALER.CALL_STATUS': [
                  { guard: 'waitingRings' },
                  // The call region takes it on screen at the same time (call.connected).
                  { guard: and(['waitingAccepted', 'canAnswerWaiting']), target: 'held' },
                  { guard: 'waitingEnded', target: 'none', actions: 'endWaitingCall' },
                ],
              },
            },
            // Two answered calls: the one on screen and this one, on hold.
            held: {
              tags: ['twoCalls'],
              on: {
                'AGENT.SWAP_CALLS': { guard: stateIn({ inCall: { call: 'connected' } }), actions: 'resumeHeld' },
                'DIALER.SYNC': [
                  { guard: and(['heldResumed', stateIn({ inCall: { call: 'connected' } })]), actions: 'swapCalls' },
                  { guard: 'syncForHeld', actions: 'applyHeldSync' },
                ],
                'DIALER.CALL_STATUS': [
                  { guard: 'heldEnded', target: 'none', actions: 'endHeldCall' },
                  // The call on screen ended: the held one comes on screen (the call region restores it).
                  { guard: { type: 'isStatus', params: { status: 'ended' } }, target: 'none' },
                  { guard: 'aboutHeld' },
                ],
              },
            },
          },
        },

        call: {
          // Always entered at a named state (dialling or ringing); XState asks for an initial one.
          initial: 'connecting',
          on: {
            // The call on screen ended while another answered call is held: that one comes back on
            // screen, still held ("Resume"). The ended call settles now with the tags it has.
            'DIALER.CALL_STATUS': {
              guard: and([{ type: 'isStatus', params: { status: 'ended' as const } }, 'hasHeld']),
              target: '.connected',
              actions: ['markEnded', 'emitCallSettled', 'restoreHeld'],
            },
          },
          states: {
        // Outgoing: the agent dialled; the line acknowledges with DIALER.DIALING, then connecting.
        connecting: {
          on: {
            'DIALER.DIALING': { guard: 'acknowledgesDial', actions: ['acknowledgeDial', 'emitCallStarted'] },
            'DIALER.CALL_STATUS': [
              { guard: { type: 'isStatus', params: { status: 'connecting' } } },
              { guard: { type: 'isStatus', params: { status: 'ringing' } }, target: 'ringing' },
              { guard: { type: 'isStatus', params: { status: 'connected' } }, target: 'connected', actions: 'markConnected' },
            ],
            'LINE.COMMAND_FAILED': { guard: 'dialFailed', target: '#dialer.ended', actions: ['recordCommandFailure', 'markEnded'] },
          },
        },

        ringing: {
          initial: 'route',
          states: {
            route: { always: [{ guard: 'isInbound', target: 'inbound' }, { target: 'outbound' }] },
            outbound: {
              on: {
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'ringing' } } },
                  { guard: { type: 'isStatus', params: { status: 'connected' } }, target: '#dialer.inCall.call.connected', actions: 'markConnected' },
                ],
              },
            },
            inbound: {
              tags: ['ringing'],
              exit: 'emitRingingStopped',
              on: {
                'AGENT.ANSWER': { actions: { type: 'command', params: { type: 'answer' } } },
                'AGENT.DECLINE': { actions: { type: 'command', params: { type: 'decline' } } },
                // A ringing incoming call is declined, not hung up (the lines refuse it).
                'AGENT.HANG_UP': {},
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'ringing' } } },
                  { guard: { type: 'isStatus', params: { status: 'accepting' } }, target: '#dialer.inCall.call.accepting' },
                  { guard: { type: 'isStatus', params: { status: 'connected' } }, target: '#dialer.inCall.call.connected', actions: 'markConnected' },
                ],
              },
            },
          },
        },

        // Incoming: the agent answered; the line is connecting the two parties.
        accepting: {
          on: {
            'DIALER.CALL_STATUS': [
              { guard: { type: 'isStatus', params: { status: 'accepting' } } },
              { guard: { type: 'isStatus', params: { status: 'connected' } }, target: 'connected', actions: 'markConnected' },
            ],
          },
        },

        connected: {
          after: { EXTENSION_DELAY: { guard: 'hasPendingExtension', actions: 'sendExtension' } },
          on: {
            'AGENT.HOLD': { guard: 'canHold', actions: { type: 'command', params: { type: 'hold' } } },
            'AGENT.RESUME': { guard: 'canResume', actions: { type: 'command', params: { type: 'resume' } } },
            'AGENT.MUTE': { guard: 'canMute', actions: { type: 'command', params: { type: 'mute' } } },
            'AGENT.UNMUTE': { guard: 'canUnmute', actions: { type: 'command', params: { type: 'unmute' } } },
            ...SEND_DIGITS,
            'AGENT.START_TRANSFER': [
              { guard: and(['canTransfer', 'validTransferTarget', not('hasHeld')]), actions: 'startTransfer' },
              { guard: and(['canTransfer', not('hasHeld')]), actions: 'refuseInput' },
            ],
            'AGENT.BLIND_TRANSFER': [
              { guard: and(['canBlindTransfer', 'validBlindTarget']), actions: 'blindTransfer' },
              { guard: 'canBlindTransfer', actions: 'refuseInput' },
            ],
            'AGENT.PAUSE_RECORDING': { guard: 'canPauseRecording', actions: { type: 'command', params: { type: 'pauseRecording' } } },
            'AGENT.RESUME_RECORDING': { guard: 'canResumeRecording', actions: { type: 'command', params: { type: 'resumeRecording' } } },
            'AGENT.SAVE_TAGS': [{ guard: 'validTags', actions: 'saveTags' }, { actions: 'refuseInput' }],
            'LINE.COMMAND_FAILED': { guard: 'commandFailedForCall', actions: ['recordCommandFailure', 'clearTransferRequest'] },
            'DIALER.CALL_STATUS': [
              { guard: { type: 'isStatus', params: { status: 'connected', flow: 'regular' } } },
              { guard: { type: 'isStatus', params: { status: 'startingWarmTransfer' } }, target: 'warmTransfer.startingWarmTransfer' },
              { guard: { type: 'isStatus', params: { status: 'ringing', flow: 'warmTransfer' } }, target: 'warmTransfer.ringing' },
              { guard: { type: 'isStatus', params: { status: 'blindTransferring' } }, target: 'blindTransfer' },
              // "Answer and hold": the line held this call and is answering the waiting one, which comes on screen.
              { guard: 'waitingAccepted', target: 'accepting', actions: 'takeWaitingCall' },
            ],
          },
        },

        // Warm transfer: the first call is held while the agent consults the target. `from` / `to`
        // keep describing the first call; who is active and who is held comes from DIALER.SYNC.
        warmTransfer: {
          tags: ['transfer'],
          initial: 'startingWarmTransfer',
          on: {
            'DIALER.SYNC': { guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: true } } },
            'AGENT.CANCEL_TRANSFER': { actions: { type: 'command', params: { type: 'cancelTransfer' } } },
            'AGENT.MUTE': { guard: 'canMute', actions: { type: 'command', params: { type: 'mute' } } },
            'AGENT.UNMUTE': { guard: 'canUnmute', actions: { type: 'command', params: { type: 'unmute' } } },
            'AGENT.SAVE_TAGS': [{ guard: 'validTags', actions: 'saveTags' }, { actions: 'refuseInput' }],
            'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'connected', flow: 'regular' } }, target: 'connected', actions: 'endTransfer' },
          },
          states: {
            startingWarmTransfer: {
              on: {
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'startingWarmTransfer' } } },
                  { guard: { type: 'isStatus', params: { status: 'ringing', flow: 'warmTransfer' } }, target: 'ringing' },
                ],
              },
            },
            ringing: {
              on: {
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'ringing', flow: 'warmTransfer' } } },
                  { guard: { type: 'isStatus', params: { status: 'connected', flow: 'warmTransfer' } }, target: 'connected', actions: 'transferAnswered' },
                ],
              },
            },
            connected: {
              on: {
                'AGENT.SWAP': { actions: { type: 'command', params: { type: 'swap' } } },
                'AGENT.MERGE': { actions: { type: 'command', params: { type: 'merge' } } },
                'AGENT.CONFERENCE': { guard: 'canConference', actions: { type: 'command', params: { type: 'conference' } } },
                // Tones reach whoever the agent talks to, once that leg is connected.
                ...SEND_DIGITS,
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'connected', flow: 'warmTransfer' } } },
                  { guard: { type: 'isStatus', params: { status: 'swapping', flow: 'warmTransfer' } }, target: 'swapping' },
                  { guard: { type: 'isStatus', params: { status: 'merging', flow: 'warmTransfer' } }, target: 'merging' },
                  { guard: { type: 'isStatus', params: { status: 'connected', flow: 'conference' } }, target: '#dialer.inCall.call.conference' },
                ],
              },
            },
            swapping: {
              on: {
                'DIALER.SYNC': { guard: 'syncForCall', actions: ['emitSwapIfSwapped', { type: 'applySync', params: { transfer: true } }] },
                'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'connected', flow: 'warmTransfer' } }, target: 'connected' },
              },
            },
            merging: {
              on: {
                // Too late to cancel: the line is completing the transfer (the SIP line refuses).
                'AGENT.CANCEL_TRANSFER': {},
                // A failed merge leaves both legs as they were.
                'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'connected', flow: 'warmTransfer' } }, target: 'connected' },
              },
            },
          },
        },

        // Three-way call: the agent, the original party and the transfer target hear each other.
        // "Leave conference" (merge) hands the two parties to each other; if one party leaves, the
        // agent stays with the other in a regular call (endTransfer says who left).
        conference: {
          tags: ['transfer', 'conference'],
          initial: 'talking',
          entry: ['startConference', 'joinConference'],
          on: {
            'DIALER.SYNC': { guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: true } } },
            'AGENT.MUTE': { guard: 'canMute', actions: { type: 'command', params: { type: 'mute' } } },
            'AGENT.UNMUTE': { guard: 'canUnmute', actions: { type: 'command', params: { type: 'unmute' } } },
            'AGENT.SAVE_TAGS': [{ guard: 'validTags', actions: 'saveTags' }, { actions: 'refuseInput' }],
            'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'connected', flow: 'regular' } }, target: 'connected', actions: 'endTransfer' },
          },
          states: {
            talking: {
              on: {
                'AGENT.MERGE': { actions: { type: 'command', params: { type: 'merge' } } },
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'connected', flow: 'conference' } } },
                  { guard: { type: 'isStatus', params: { status: 'merging', flow: 'conference' } }, target: 'leaving' },
                ],
              },
            },
            leaving: {
              on: {
                // A failed merge leaves the conference as it was.
                'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'connected', flow: 'conference' } }, target: 'talking' },
              },
            },
          },
        },

        // "Transfer now": the party is held while the line hands it to the target. It ends as
        // `transferred` (the ended transition above) or comes back with a TransferOutcome.
        blindTransfer: {
          on: {
            'DIALER.CALL_STATUS': [
              { guard: { type: 'isStatus', params: { status: 'blindTransferring' } } },
              { guard: { type: 'isStatus', params: { status: 'connected', flow: 'regular' } }, target: 'connected', actions: 'endBlindTransfer' },
            ],
          },
        },

        hanging: {
          on: {
            // Already hanging up: nothing more to ask the line.
            'AGENT.HANG_UP': {},
            'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'hanging' } } },
          },
        },
      },
        },
      },
    },

    // After a call: mandatory tagging when the setting asks for it, else ended.
    wrapUp: {
      always: [
        { guard: 'needsTagging', target: 'mandatoryTagging' },
        // A waiting call rings on as the call on screen: the ended one settles now.
        { guard: 'hasWaiting', target: '#dialer.inCall.call.ringing', actions: ['emitCallSettled', 'promoteWaiting'] },
        { target: 'ended' },
      ],
    },

    // A caller during wrap-up is announced and can be declined; answering waits for the tags (the
    // seed's rule: a connected call is tagged before the next one), then it rings as any call.
    mandatoryTagging: {
      tags: ['busy', 'wrapUp'],
      entry: 'startWrapUp',
      initial: 'route',
      states: {
        route: { always: [{ guard: 'hasWaiting', target: 'callWaiting' }, { target: 'alone' }] },
        alone: {
          on: {
            'DIALER.SYNC': { guard: and(['announcesInbound', 'canWait']), target: 'callWaiting', actions: 'announceWaiting' },
          },
        },
        callWaiting: {
          tags: ['callWaiting'],
          on: {
            'AGENT.DECLINE_WAITING': { actions: { type: 'commandWaiting', params: { type: 'decline' } } },
            'DIALER.SYNC': [{ guard: 'syncForWaiting' }, { guard: 'announcesInbound', actions: 'declineBusy' }],
            'DIALER.CALL_STATUS': [{ guard: 'waitingRings' }, { guard: 'waitingEnded', target: 'alone', actions: 'endWaitingCall' }],
          },
        },
      },
      on: {
        'AGENT.SAVE_TAGS': [
          { guard: and(['validTags', 'hasWaiting']), target: '#dialer.inCall.call.ringing', actions: ['saveTags', 'emitCallSettled', 'endWrapUp', 'promoteWaiting'] },
          { guard: 'validTags', target: 'ended.settled', actions: ['saveTags', 'emitCallSettled', 'endWrapUp'] },
          { actions: 'refuseInput' },
        ],
        'DIALER.SYNC': [{ guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: false } } }, { guard: 'announcesInbound', actions: 'declineBusy' }],
        'AGENT.DIAL': { actions: 'refuseWhileWrappingUp' },
        'AGENT.CALL_NEXT': { actions: 'refuseWhileWrappingUp' },
        'FRONT.DIAL_REQUEST': { actions: { type: 'queueNextCall', params: { wrappingUp: true } } },
        // The line's own wrap-up finished (seed: "the system will send a ended status").
        'DIALER.CALL_STATUS': [
          {
            guard: and([{ type: 'isStatus', params: { status: 'ended' as const } }, 'isTagged', 'hasWaiting']),
            target: '#dialer.inCall.call.ringing',
            actions: ['emitCallSettled', 'endWrapUp', 'promoteWaiting'],
          },
          {
            guard: and([{ type: 'isStatus', params: { status: 'ended' as const } }, 'isTagged']),
            target: 'ended.settled',
            actions: ['emitCallSettled', 'endWrapUp'],
          },
        ],
      },
    },

    // The call is over and still on screen. It settles (its record is final: CALL_SETTLED) when
    // the agent moves on, when wrap-up ended, or after SETTLE_DELAY: tags and the line's final
    // DIALER.SYNC come before that.
    ended: {
      initial: 'open',
      states: {
        open: {
          after: { SETTLE_DELAY: 'settled' },
          exit: 'emitCallSettled',
        },
        settled: {},
      },
      on: {
        ...PLACE_CALL,
        'AGENT.RESET': { target: 'idle', actions: 'reset' },
        'AGENT.SAVE_TAGS': [{ guard: 'validTags', actions: 'saveTags' }, { actions: 'refuseInput' }],
        'DIALER.SYNC': [{ guard: 'syncForCall', actions: { type: 'applySync', params: { transfer: false } } }, { guard: 'announcesInbound', actions: 'announceInbound' }],
        'DIALER.CALL_STATUS': [
          { guard: 'ringsAnnouncedCall', target: '#dialer.inCall.call.ringing', actions: ['startInboundCall', 'emitCallStarted'] },
          // A late duplicate of the call's own end.
          { guard: { type: 'isStatus', params: { status: 'ended' } } },
        ],
      },
    },
  },
});

export type DialerMachine = typeof dialerMachine;
