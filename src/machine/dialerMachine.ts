import { and, assign, emit, enqueueActions, sendTo, setup } from 'xstate';
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

/** Placing a call, from idle or after the previous call ended: the agent, Front's Call button, or "Call next". */
const PLACE_CALL = {
  'AGENT.DIAL': [
    { guard: 'dialable', target: '#dialer.inCall.connecting', actions: ['startOutboundCall', 'sendDial'] },
    { actions: 'refuseNumber' },
  ],
  'FRONT.DIAL_REQUEST': [
    { guard: 'dialable', target: '#dialer.inCall.connecting', actions: ['startOutboundCall', 'sendDial'] },
    { actions: 'refuseNumber' },
  ],
  'AGENT.CALL_NEXT': { guard: 'dialable', target: '#dialer.inCall.connecting', actions: ['startOutboundCall', 'sendDial'] },
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
      event.payload.callId !== context.call?.callId,
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
        event.type === 'AGENT.START_TRANSFER'
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
    command: sendTo('line', ({ context }, params: { type: Exclude<LineCommand['type'], 'dial' | 'sendDigits' | 'startWarmTransfer'> }) => ({
      type: params.type,
      callId: context.call!.callId,
    })),
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
    emitCallStarted: emit(({ context }) =>
      callEvent('CALL_STARTED', context.call!.callId, {
        callType: context.call!.direction,
        participant: context.call!.remote.number,
        ...(context.call!.remote.name ? { name: context.call!.remote.name } : {}),
      }),
    ),
    announceInbound: assign(({ event }) => {
      if (event.type !== 'DIALER.SYNC' || !event.payload.from) return {};
      const { callId, from, to, callerName } = event.payload;
      const remote: Participant = { number: from, ...(callerName ? { name: callerName } : {}) };
      return {
        announced: { callId, direction: 'inbound', from, to: to ?? '', remote, startedAt: Date.now(), connectedAt: null, endedAt: null },
      };
    }),
    startInboundCall: assign(({ context }) => ({
      ...NO_CALL,
      call: { ...context.announced!, startedAt: Date.now() },
      announced: null,
      activeParticipant: context.announced!.remote,
    })),
    declineBusy: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'DIALER.SYNC') return;
      enqueue.sendTo('line', { type: 'decline', callId: event.payload.callId } satisfies LineCommand);
      enqueue.emit(
        diagnostic('busy_declined', `Declined an incoming call from ${event.payload.from} while busy.`, event.payload.callId, event.type),
      );
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
    emitCallSettled: emit(({ context }) => {
      const call = context.call!;
      return {
        type: 'CALL_SETTLED',
        detail: {
          callId: call.callId,
          callType: call.direction,
          participant: call.remote.number,
          reason: context.endReason ?? 'failed',
          connectedAt: call.connectedAt,
          endedAt: call.endedAt,
          duration: context.duration,
          tags: context.tags,
          recordingUrl: context.recordingUrl,
        },
      };
    }),
    endWrapUp: enqueueActions(({ enqueue, context }) => {
      enqueue.assign({ availability: 'available' });
      if (context.call) enqueue.emit(callEvent('WRAP_UP_ENDED', context.call.callId, { tags: context.tags }));
    }),
    assignAvailability: assign(({ event }) => (event.type === 'USER.AVAILABILITY_CHANGED' ? { availability: event.payload.status } : {})),
    updateSettings: assign(({ context, event }) =>
      event.type === 'SETTINGS.UPDATE' ? { settings: { ...context.settings, ...event.settings } } : {},
    ),
    reset: assign({ ...NO_CALL, announced: null }),
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
    nextCall: null,
    settings: { mandatoryTagging: false, ...input.settings },
    capabilities: input.capabilities,
    availability: 'available',
  }),
  invoke: { id: 'line', src: 'line' },
  on: {
    // An incoming call while the agent cannot take it (on a call, wrapping up) is declined as busy.
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
        'DIALER.CALL_STATUS': { guard: 'ringsAnnouncedCall', target: 'inCall.ringing', actions: ['startInboundCall', 'emitCallStarted'] },
      },
    },

    // A call in progress, from dialling or ringing until the line says it ended. Hang-up and the
    // way every call ends are written once here; the states below add what is theirs.
    inCall: {
      tags: ['busy', 'inCall'],
      // Always entered at a named state (dialling or ringing); XState asks for an initial one.
      initial: 'connecting',
      on: {
        'AGENT.HANG_UP': { actions: { type: 'command', params: { type: 'hangUp' } } },
        'DIALER.CALL_STATUS': [
          { guard: { type: 'isStatus', params: { status: 'hanging' } }, target: '.hanging', actions: 'noteHangingReason' },
          { guard: 'lineWrapsUp', target: '#dialer.mandatoryTagging', actions: 'markEnded' },
          { guard: { type: 'isStatus', params: { status: 'ended' } }, target: '#dialer.wrapUp', actions: 'markEnded' },
        ],
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
                  { guard: { type: 'isStatus', params: { status: 'connected' } }, target: '#dialer.inCall.connected', actions: 'markConnected' },
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
                  { guard: { type: 'isStatus', params: { status: 'accepting' } }, target: '#dialer.inCall.accepting' },
                  { guard: { type: 'isStatus', params: { status: 'connected' } }, target: '#dialer.inCall.connected', actions: 'markConnected' },
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
              { guard: and(['canTransfer', 'validTransferTarget']), actions: 'startTransfer' },
              { guard: 'canTransfer', actions: 'refuseInput' },
            ],
            'AGENT.PAUSE_RECORDING': { guard: 'canPauseRecording', actions: { type: 'command', params: { type: 'pauseRecording' } } },
            'AGENT.RESUME_RECORDING': { guard: 'canResumeRecording', actions: { type: 'command', params: { type: 'resumeRecording' } } },
            'AGENT.SAVE_TAGS': [{ guard: 'validTags', actions: 'saveTags' }, { actions: 'refuseInput' }],
            'LINE.COMMAND_FAILED': { guard: 'commandFailedForCall', actions: ['recordCommandFailure', 'clearTransferRequest'] },
            'DIALER.CALL_STATUS': [
              { guard: { type: 'isStatus', params: { status: 'connected', flow: 'regular' } } },
              { guard: { type: 'isStatus', params: { status: 'startingWarmTransfer' } }, target: 'warmTransfer.startingWarmTransfer' },
              { guard: { type: 'isStatus', params: { status: 'ringing', flow: 'warmTransfer' } }, target: 'warmTransfer.ringing' },
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
                // Tones reach whoever the agent talks to, once that leg is connected.
                ...SEND_DIGITS,
                'DIALER.CALL_STATUS': [
                  { guard: { type: 'isStatus', params: { status: 'connected', flow: 'warmTransfer' } } },
                  { guard: { type: 'isStatus', params: { status: 'swapping', flow: 'warmTransfer' } }, target: 'swapping' },
                  { guard: { type: 'isStatus', params: { status: 'merging', flow: 'warmTransfer' } }, target: 'merging' },
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

        hanging: {
          on: {
            // Already hanging up: nothing more to ask the line.
            'AGENT.HANG_UP': {},
            'DIALER.CALL_STATUS': { guard: { type: 'isStatus', params: { status: 'hanging' } } },
          },
        },
      },
    },

    // After a call: mandatory tagging when the setting asks for it, else ended.
    wrapUp: {
      always: [{ guard: 'needsTagging', target: 'mandatoryTagging' }, { target: 'ended' }],
    },

    mandatoryTagging: {
      tags: ['busy', 'wrapUp'],
      entry: 'startWrapUp',
      on: {
        'AGENT.SAVE_TAGS': [
          { guard: 'validTags', target: 'ended.settled', actions: ['saveTags', 'emitCallSettled', 'endWrapUp'] },
          { actions: 'refuseInput' },
        ],
        'AGENT.DIAL': { actions: 'refuseWhileWrappingUp' },
        'AGENT.CALL_NEXT': { actions: 'refuseWhileWrappingUp' },
        'FRONT.DIAL_REQUEST': { actions: { type: 'queueNextCall', params: { wrappingUp: true } } },
        // The line's own wrap-up finished (seed: "the system will send a ended status").
        'DIALER.CALL_STATUS': {
          guard: and([{ type: 'isStatus', params: { status: 'ended' as const } }, 'isTagged']),
          target: 'ended.settled',
          actions: ['emitCallSettled', 'endWrapUp'],
        },
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
          { guard: 'ringsAnnouncedCall', target: 'inCall.ringing', actions: ['startInboundCall', 'emitCallStarted'] },
          // A late duplicate of the call's own end.
          { guard: { type: 'isStatus', params: { status: 'ended' } } },
        ],
      },
    },
  },
});

export type DialerMachine = typeof dialerMachine;
