/**
 * The SIP line: the {@link Line} port over a SIP user agent (JsSIP, reached through the typed
 * `stack.ts`), with WebRTC audio. It emits the same event sequences as the simulated line
 * (`simulated/simulatedLine.ts`), driven by SIP instead of timers:
 *
 * - dial: `DIALER.DIALING`, `DIALER.SYNC` (outbound), `connecting`; a 1xx -> `ringing`; the
 *   confirmed dialog -> `connected` + SYNC (parties, onHold / muted false).
 * - incoming INVITE: SYNC (inbound, from, callerName), `ringing`; answer -> `accepting`, the ACK ->
 *   `connected`. A second INVITE during a call is a waiting call (issue 12): announced the same
 *   way, with the call-waiting tone instead of the ringtone; answering it holds the other call
 *   first (re-INVITE), resuming a held call holds the other one first (swap), declining it answers
 *   486 Busy Here. A third INVITE is answered 486 and never announced.
 * - three-way call: mixed locally with Web Audio (`transfer.ts` conference, `media.ts` mix).
 * - every call ends with exactly one `ended` (preceded by `hanging` when someone hung up), then a
 *   SYNC with the duration; the reasons are in `endReasons.ts`.
 * - hold / resume are re-INVITEs; onHold is reported only once the re-INVITE succeeded. Mute
 *   disables the local track and is reported at once.
 * - warm transfer: the first call is held (re-INVITE), a consultation call is placed; swap holds
 *   one leg and resumes the other; merge sends REFER with Replaces to the first party, and the
 *   call ends `transferred` once the party reports the new call answered (NOTIFY 200). When the
 *   agent is the transfer target, an INVITE with Replaces takes over the replaced call: same
 *   callId, the new party reported by SYNC.
 *
 * Beyond JsSIP: the line ends a call itself when its peer connection fails (`connectionLost`;
 * JsSIP would keep a ghost call), sends the SDP on the first ICE candidate instead of waiting for
 * gathering to finish, ends a call whose ICE finds no candidate at all within a few seconds,
 * registers again with backoff after a transient refusal but never after a refused password, and
 * reconnects quickly (every 0.5 s for 10 s) after the connection to the server dropped, and
 * restarts ICE (re-INVITE) when a connected call's media path fails, before giving up on it.
 *
 * By job: the call record, its events and which command is allowed when are the call-session core
 * (`../session`); registration and backoff `registrar.ts`; ICE `ice.ts`; the SIP sessions of the
 * call `legs.ts`; hold and warm transfer `transfer.ts`; the incoming call's id `callId.ts`. This
 * file is the port, the call's lifecycle, and the wiring.
 */
import type { EndReason } from '../protocol';
import { ALL_CAPABILITIES, LineError, type LineCapabilities, type TransferTarget } from '../line';
import { clearTimers, createSessionCore, defaultListenerErrorReporter, describeError, participant, schedule } from '../session';
import { parseSipAddress, type SipAccount } from './account';
import { inboundCallId } from './callId';
import { connectedEndReason, consultFailureOutcome, inboundFailureReason, outboundFailureReason, type EndIntent } from './endReasons';
import { createIceGate } from './ice';
import { createLegs, newLeg, partyOf, type Leg, type SipCall } from './legs';
import { microphoneConstraints, readAudioStats, type SipDevices, type SipMedia } from './media';
import { startRegistrar } from './registrar';
import type { CreateUserAgent, StackEndEvent, StackMediaOptions, StackSession, StackUserAgent } from './stack';
import { createTransfer } from './transfer';
import type { SipLine, SipLineOptions } from './types';

export { UNKNOWN_CALLER_NUMBER } from './legs';

/** What the SIP line needs from the outside world; the unit tests provide fakes. */
export interface SipEnvironment {
  readonly createUserAgent: CreateUserAgent;
  readonly media: SipMedia;
  /** Clock for call durations. Default `Date.now`. */
  readonly now?: () => number;
}

// Issue 12 on SIP: blind transfer is REFER without Replaces, the three-way call is mixed locally
// with Web Audio (transfer.ts), a second INVITE during a call is a waiting call (receiveCall).
const CAPABILITIES: LineCapabilities = Object.freeze({ ...ALL_CAPABILITIES, recording: false });

/** What {@link SipLineOptions} default to. */
const DEFAULTS = {
  iceServers: [] as RTCIceServer[],
  iceGatheringTimeoutMs: 500,
  iceNoCandidateTimeoutMs: 5000,
  iceRestartGraceMs: 2000,
  iceRestartTimeoutMs: 10_000,
  statsEveryMs: 5000,
  reconnectMinSeconds: 2,
  reconnectMaxSeconds: 15,
  registerExpiresSeconds: 300,
  noAnswerTimeoutSeconds: 60,
  onListenerError: defaultListenerErrorReporter('SIP line'),
};

/** The options given, without those set to `undefined` (which mean "the default", as in destructuring). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const DIALABLE = /^\+?[0-9*#]{1,20}$/;
/** After a merge, how long the transfer target gets to end the replaced call before the line does. */
const REPLACED_LEG_GRACE_MS = 3000;
const USER_AGENT = 'front-softphone (JsSIP)';

/**
 * Creates the SIP line and starts registering. Commands are refused with `not_ready` while the
 * connection to the server is down; incoming calls arrive only while registered (see
 * {@link SipLine.registration}).
 */
export function createSipLineWith(account: SipAccount, options: SipLineOptions, env: SipEnvironment): SipLine {
  const address = parseSipAddress(account.sipUri);
  if (!address) throw new LineError('invalid_argument', 'The SIP address is not valid.');
  const agentNumber = options.agentNumber ?? address.user;
  if (!DIALABLE.test(agentNumber)) throw new LineError('invalid_argument', 'The agent number must be a phone number or extension.');
  const { iceServers: initialIceServers, iceGatheringTimeoutMs, iceNoCandidateTimeoutMs, iceRestartGraceMs, iceRestartTimeoutMs, statsEveryMs, reconnectMinSeconds, reconnectMaxSeconds, registerExpiresSeconds, noAnswerTimeoutSeconds, onListenerError } = {
    ...DEFAULTS,
    ...definedOnly(options),
  };
  const now = env.now ?? (() => Date.now());
  const domain = address.port === null ? address.host : `${address.host}:${address.port}`;

  /** The password must never reach a log, a message or a URL: every outgoing text goes through here. */
  function redact(text: string): string {
    return account.password.length > 0 ? text.split(account.password).join('***') : text;
  }
  function log(level: 'info' | 'warn' | 'error', message: string): void {
    options.logger?.({ level, message: redact(message) });
  }

  const core = createSessionCore<Leg, SipCall>({ lineName: 'SIP line', agentNumber, dialable: DIALABLE, now, redact, onListenerError: (error) => onListenerError(error) });
  const { setStatus, sync } = core;
  const ringer = env.media.createRinger();
  const waitingTone = env.media.createWaitingTone();
  /** Which alert plays: the ringtone (a call rings, no other call), the waiting tone (a second caller waits), or none. */
  let alerting: 'none' | 'ring' | 'waiting' = 'none';
  let devices: SipDevices = { ...options.devices };
  if (devices.speakerId !== undefined) void waitingTone.setSink(devices.speakerId);
  let iceServers: RTCIceServer[] = [...initialIceServers];

  const ua: StackUserAgent = env.createUserAgent({
    websocketUrl: account.websocketUrl,
    sipUri: account.sipUri,
    password: account.password,
    ...(account.authorizationUser ? { authorizationUser: account.authorizationUser } : {}),
    ...(account.displayName ? { displayName: account.displayName } : {}),
    userAgent: USER_AGENT,
    registerExpires: registerExpiresSeconds,
    reconnectMinSeconds,
    reconnectMaxSeconds,
    noAnswerTimeoutSeconds,
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const registrar = startRegistrar(ua, { reconnectMinSeconds, log });

  function mediaOptions(): StackMediaOptions {
    return {
      mediaConstraints: { audio: microphoneConstraints(devices.microphoneId), video: false },
      pcConfig: { iceServers, ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}) },
    };
  }

  function targetUri(number: string): string {
    return `sip:${number}@${domain}`;
  }

  /**
   * Commands that send SIP need the connection: JsSIP would otherwise end the call on the transport
   * error (a hold during a server restart must not hang up the customer).
   */
  function ensureConnected(): void {
    if (!ua.isConnected()) throw core.error('not_ready', 'The phone server is not connected.');
  }

  const legs = createLegs({
    core,
    log,
    media: env.media,
    devices: () => devices,
    mediaOptions,
    onIceCandidate: createIceGate(() => iceServers, iceGatheringTimeoutMs),
    noCandidateTimeoutMs: iceNoCandidateTimeoutMs,
    iceRestart: { graceMs: iceRestartGraceMs, timeoutMs: iceRestartTimeoutMs },
    signalling: () => ua.isConnected(),
    onProgress,
    onConfirmed,
    onEnded: (call, leg, event, wasConnected) => (leg === call.main ? mainLegEnded(call, leg, event, wasConnected) : consultLegEnded(call, event, wasConnected)),
  });
  const transfer = createTransfer({ core, ua, legs, log, media: env.media, mediaOptions, targetUri, ensureConnected, end });

  ua.on('newRTCSession', (event) => {
    if (event.originator !== 'remote') return;
    if (!legs.adopt(event.session)) receiveCall(event.session, event.request?.call_id);
  });

  // ---- call lifecycle ------------------------------------------------------------------------------

  function onProgress(call: SipCall, leg: Leg): void {
    if (leg === call.main && call.direction === 'outbound' && call.status === 'connecting') setStatus(call, 'ringing', 'regular');
  }

  function onConfirmed(call: SipCall, leg: Leg): void {
    if (call.ended || leg.connected) return;
    if (leg === call.main) {
      updateAlerting();
      core.markConnected(call);
      scheduleStats(call);
    } else if (leg === call.consult) {
      if (call.muted) leg.rtc.mute({ audio: true });
      core.markTargetConnected(call, leg);
    }
  }

  function scheduleStats(call: SipCall): void {
    if (statsEveryMs <= 0) return;
    schedule(call.timers, statsEveryMs, () => {
      const leg = core.activeLeg(call);
      const pc = leg.pc;
      if (call.ended) return;
      scheduleStats(call);
      if (!pc || leg.ended) return;
      readAudioStats(pc, leg.statsSample)
        .then((result) => {
          if (!result || call.ended || leg.ended) return;
          leg.statsSample = result.sample;
          sync(call, { audioStats: result.stats });
        })
        .catch((error: unknown) => log('warn', `Could not read call quality: ${describeError(error)}`));
    });
  }

  function end(call: SipCall, reason: EndReason, withHanging: boolean, keep?: Leg): void {
    if (call.ended) return;
    call.ended = true;
    transfer.stopMix(call);
    for (const leg of core.legs(call)) {
      if (leg.ended) continue;
      if (leg === keep) {
        // The transfer target ends the replaced leg itself; end it only if it does not.
        leg.detached = true;
        legs.lingering.add(leg);
        schedule(leg.timers, REPLACED_LEG_GRACE_MS, () => legs.terminate(leg, 'transferred'));
      } else {
        // Detached: its end event no longer decides anything, whatever the intent says.
        legs.detach(leg, 'localHangup');
      }
    }
    core.finish(call, reason, withHanging);
    log('info', `Call ${call.callId} ended: ${reason}.`);
    // A waiting call left alone rings on as an ordinary call: the ringtone takes over.
    updateAlerting();
  }

  /**
   * Plays the one alert the calls ask for: the ringtone while a call rings with no other call, the
   * call-waiting tone (with the call audio) while a second caller waits, else nothing.
   */
  function updateAlerting(): void {
    const live = core.live();
    const ringing = live.find((call) => call.direction === 'inbound' && call.status === 'ringing' && !call.answering);
    const next = !ringing ? 'none' : live.length > 1 ? 'waiting' : 'ring';
    if (next === alerting) return;
    if (alerting === 'ring') ringer.stop();
    if (alerting === 'waiting') waitingTone.stop();
    alerting = next;
    if (next === 'ring') ringer.start();
    if (next === 'waiting') waitingTone.start();
  }

  function endReasonFor(call: SipCall, leg: Leg, event: StackEndEvent, wasConnected: boolean): EndReason {
    if (wasConnected) return connectedEndReason(event, leg.intent);
    return call.direction === 'outbound' ? outboundFailureReason(event, leg.intent) : inboundFailureReason(event, leg.intent);
  }

  function withHangingFor(reason: EndReason): boolean {
    return reason === 'localHangup' || reason === 'cancelled' || reason === 'remoteHangup';
  }

  function mainLegEnded(call: SipCall, leg: Leg, event: StackEndEvent, wasConnected: boolean): void {
    const consult = call.consult;
    if (!consult) {
      const reason = endReasonFor(call, leg, event, wasConnected);
      end(call, reason, withHangingFor(reason));
    } else if (call.status === 'merging') {
      // Some parties hang up the transferred call instead of (or before) reporting the NOTIFY.
      end(call, 'transferred', false, consult);
    } else if (consult.connected) {
      transfer.targetTakesOver(call);
    } else {
      // The original party left while the target was still ringing: nobody is left to talk to.
      end(call, 'remoteHangup', true);
    }
  }

  function consultLegEnded(call: SipCall, event: StackEndEvent, wasConnected: boolean): void {
    if (call.status === 'merging') return;
    transfer.returnToMain(call, wasConnected ? 'transferTargetLeft' : consultFailureOutcome(event));
  }

  // ---- incoming calls ----------------------------------------------------------------------------

  function receiveCall(rtc: StackSession, sipCallId: string | undefined): void {
    if (core.disposed) return;
    if (core.live().length >= 2) {
      // Two calls at most (the call in progress and one waiting call): the caller hears busy.
      try {
        rtc.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      } catch {
        // It ended on its own already.
      }
      log('info', 'Refused an incoming call with 486 Busy Here: two calls are in progress.');
      return;
    }
    const leg = newLeg(rtc, partyOf(rtc));
    // During a call this is a waiting call: announced like any call (the machine declines it when
    // call waiting is off, which answers 486 as before), with the waiting tone instead of the ringtone.
    const call = core.startCall(inboundCallId(sipCallId, core.isUsed), 'inbound', leg, { transferGen: 0, mix: null, answering: false });
    legs.bind(call, leg, rtc);
    core.announceInbound(call);
    // After the events are delivered: starting the ringtone (an AudioContext) takes milliseconds
    // that must not delay the agent seeing the call.
    queueMicrotask(updateAlerting);
  }

  /** Answers an incoming call now: `accepting`, then `connected` on the ACK. */
  function answerNow(call: SipCall): void {
    try {
      call.main.rtc.answer(mediaOptions());
    } catch (error) {
      throw core.error('invalid_state', `The call can no longer be answered: ${describeError(error)}`);
    }
    setStatus(call, 'accepting', 'regular');
    updateAlerting();
  }

  // ---- the port ----------------------------------------------------------------------------------------

  const line: SipLine = {
    kind: 'sip',
    capabilities: CAPABILITIES,
    registration: registrar.registration,

    subscribe: core.subscribe,

    async dial(callId, to) {
      core.checkDial(callId, to);
      ensureConnected();
      let rtc: StackSession;
      try {
        rtc = ua.call(targetUri(to), mediaOptions());
      } catch (error) {
        throw core.error('network', `The call could not be placed: ${describeError(error)}`);
      }
      const leg = newLeg(rtc, participant(to));
      const call = core.startCall(callId, 'outbound', leg, { transferGen: 0, mix: null, answering: false });
      legs.bind(call, leg, rtc);
      core.announceOutbound(call, to);
    },

    async answer(callId) {
      const call = core.callFor('answer', callId);
      if (call.answering) throw core.error('invalid_state', 'The call is already being answered.');
      const other = core.otherOf(call);
      if (!other || other.main.held || other.main.ended) {
        answerNow(call);
        return;
      }
      // "Answer and hold": the call in progress is held (re-INVITE sendonly) before the new one is
      // answered, so the agent never talks to both at once.
      ensureConnected();
      if (!transfer.canReOffer(other.main)) transfer.refuseOverlap();
      call.answering = true;
      updateAlerting();
      const held = other.main;
      void transfer.setHold(held, true).then((ok) => {
        call.answering = false;
        if (ok && !other.ended) sync(other, { onHold: true });
        if (call.ended || call.main.rtc.isEnded()) return;
        if (!ok && !held.ended) {
          log('warn', `Call ${call.callId}: the call in progress could not be held; the waiting call keeps ringing.`);
          updateAlerting();
          return;
        }
        try {
          answerNow(call);
        } catch (error) {
          log('warn', describeError(error));
        }
      });
    },

    async decline(callId) {
      const call = core.callFor('decline', callId);
      // A waiting call is refused as busy (486: the caller hears busy, or the PBX takes its next
      // step such as voicemail); a lone call is declined (603 Decline), as before.
      const busy = core.otherOf(call) !== null;
      legs.terminate(call.main, 'declined', busy ? { status_code: 486, reason_phrase: 'Busy Here' } : { status_code: 603, reason_phrase: 'Decline' });
      updateAlerting();
    },

    async hangUp(callId) {
      const call = core.callFor('hangUp', callId);
      const intent: EndIntent = call.connectedAt === null && call.direction === 'outbound' ? 'cancelled' : 'localHangup';
      for (const leg of core.legs(call)) leg.intent = intent;
      if (call.consult) {
        // Both legs go; the call ends as the agent's hang-up whichever leg reports first.
        end(call, 'localHangup', true);
        return;
      }
      legs.terminate(call.main, intent);
      if (call.main.rtc.isEnded() && !call.ended) end(call, intent, true);
    },

    async hold(callId) {
      transfer.hold(core.callFor('hold', callId));
    },

    async resume(callId) {
      const call = core.callFor('resume', callId);
      const other = core.otherOf(call);
      const active = other && other.connectedAt !== null && !other.main.held && !other.main.ended ? other.main : null;
      if (!active || !other) {
        transfer.resume(call);
        return;
      }
      // "Swap calls": the other call is held first, then this one resumed.
      ensureConnected();
      if (!transfer.canReOffer(active) || !transfer.canReOffer(call.main)) transfer.refuseOverlap();
      void transfer.setHold(active, true).then((ok) => {
        if (!ok) return;
        if (!other.ended) sync(other, { onHold: true });
        if (call.ended) return;
        void transfer.setHold(call.main, false).then((resumed) => {
          if (resumed && !call.ended) sync(call, { onHold: false });
        });
      });
    },

    async mute(callId) {
      setMuted(core.callFor('mute', callId), true);
    },

    async unmute(callId) {
      setMuted(core.callFor('unmute', callId), false);
    },

    async sendDigits(callId, digits) {
      const call = core.callFor('sendDigits', callId);
      core.checkDigits(digits);
      const leg = core.activeLeg(call);
      const sender = leg.pc?.getSenders().find((s) => s.track?.kind === 'audio');
      // RFC 4733 in the RTP stream when the other side negotiated it, else SIP INFO.
      const rtp = leg.telephoneEvent && sender?.dtmf?.canInsertDTMF === true;
      if (!rtp) ensureConnected();
      try {
        leg.rtc.sendDTMF(digits, { transportType: rtp ? 'RFC2833' : 'INFO', duration: 100, interToneGap: 70 });
      } catch (error) {
        throw core.error('invalid_state', `The digits could not be sent: ${describeError(error)}`);
      }
    },

    async startWarmTransfer(callId, target: TransferTarget) {
      const call = core.callFor('startWarmTransfer', callId);
      transfer.start(call, core.transferParty(target));
    },

    async blindTransfer(callId, target: TransferTarget) {
      const call = core.callFor('blindTransfer', callId);
      transfer.blind(call, core.transferParty(target));
    },

    async conference(callId) {
      transfer.conference(core.callFor('conference', callId));
    },

    async swap(callId) {
      transfer.swap(core.callFor('swap', callId));
    },

    async merge(callId) {
      transfer.merge(core.callFor('merge', callId));
    },

    async cancelTransfer(callId) {
      transfer.returnToMain(core.callFor('cancelTransfer', callId), 'transferCancelled');
    },

    async setDevices(next) {
      core.ensureUsable();
      devices = { ...devices, ...next };
      const results: boolean[] = [];
      if ('ringerId' in next) results.push(await ringer.setSink(devices.ringerId));
      const live = core.live().flatMap((call) => core.legs(call).filter((leg) => !leg.ended));
      if ('speakerId' in next) {
        results.push(await waitingTone.setSink(devices.speakerId));
        for (const leg of live) if (leg.output) results.push(await leg.output.setSink(devices.speakerId));
      }
      if ('microphoneId' in next) {
        for (const leg of live) {
          const sender = leg.pc?.getSenders().find((s) => s.track?.kind === 'audio');
          if (!sender?.track) continue;
          const previous = sender.track;
          const track = await env.media.getMicrophoneTrack(microphoneConstraints(devices.microphoneId));
          track.enabled = previous.enabled;
          await sender.replaceTrack(track);
          previous.stop();
        }
      }
      if (results.includes(false)) throw core.error('unsupported', 'This browser could not play audio on the chosen output; the choice is kept for later calls.');
    },

    setIceServers(servers) {
      core.ensureUsable();
      iceServers = [...servers];
    },

    async unregister() {
      core.ensureUsable();
      registrar.unregister();
    },

    async register() {
      core.ensureUsable();
      registrar.register();
    },

    dispose() {
      if (core.disposed) return;
      for (const call of core.live()) {
        transfer.stopMix(call);
        for (const leg of core.legs(call)) {
          if (leg.ended) continue;
          leg.detached = true;
          legs.terminate(leg, 'localHangup');
          legs.release(leg);
        }
        clearTimers(call.timers);
      }
      for (const leg of legs.lingering) {
        legs.terminate(leg, 'transferred');
        legs.release(leg);
      }
      legs.lingering.clear();
      registrar.close();
      core.dispose();
      ringer.dispose();
      waitingTone.dispose();
      try {
        ua.stop();
      } catch (error) {
        log('warn', `Stopping the SIP user agent failed: ${describeError(error)}`);
      }
    },
  };

  function setMuted(call: SipCall, muted: boolean): void {
    call.muted = muted;
    for (const leg of core.legs(call)) if (!leg.ended) (muted ? leg.rtc.mute({ audio: true }) : leg.rtc.unmute({ audio: true }));
    // JsSIP mutes the sender's track, which in a conference is the mix: mute the microphone only.
    call.mix?.setMuted(muted);
    sync(call, { muted });
  }

  ua.start();
  return line;
}
