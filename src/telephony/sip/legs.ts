/**
 * The SIP line's legs: one SIP session per remote party of the call (the original party, the
 * warm-transfer target). Binds a session's events to the call, plays its audio, ends it, releases
 * it, and lets an INVITE with Replaces take a leg over (this agent is a transfer's target).
 */
import type { Participant } from '../protocol';
import { clearTimers, describeError, MAX_NAME, schedule, type CallLeg, type CallRecord, type SessionCore, type Timer } from '../session';
import { isPhoneNumber } from './account';
import type { EndIntent } from './endReasons';
import { watchForNoCandidate } from './ice';
import type { AudioOutput, ConferenceMix, SipDevices, SipMedia, StatsSample } from './media';
import type { StackEndEvent, StackMediaOptions, StackSession } from './stack';
import type { SipLogEntry } from './types';

/** The `from` of a caller whose SIP user is not a number (withheld, or a SIP name like "alice"). */
export const UNKNOWN_CALLER_NUMBER = '0';

/** One SIP session of the call: the original party, or the warm-transfer target. */
export interface Leg extends CallLeg {
  rtc: StackSession;
  ended: boolean;
  /** Its events no longer concern the call (a cancelled consultation, a merged transfer). */
  detached: boolean;
  /** Held by this agent, as the last successful re-INVITE set it. */
  held: boolean;
  /** Hold / resume operations, one after the other. */
  ops: Promise<boolean>;
  pc: RTCPeerConnection | null;
  output: AudioOutput | null;
  /** The party's audio as received (mixed into the other leg during a conference). */
  remote: MediaStream | null;
  /** The other party's SDP offers RFC 4733 telephone-event. */
  telephoneEvent: boolean;
  statsSample: StatsSample | null;
  /** Why this agent ended the leg, when it did. */
  intent: EndIntent | null;
  /** Resolved when the leg ends, so pending hold operations give up. */
  readonly onEnd: Set<() => void>;
  /** The media path was lost and an ICE restart is under way (see `watchMediaPath`). */
  iceRestart: { readonly timers: Set<Timer> } | null;
}

export interface SipCall extends CallRecord<Leg> {
  /** Bumped whenever the transfer changes course; late continuations of an older one stop. */
  transferGen: number;
  /** The local mix of the three-way call, while there is one (see `SipMedia.mixConference`). */
  mix: ConferenceMix | null;
  /** A waiting call being answered: the other call is being held first. */
  answering: boolean;
}

export type SipCore = SessionCore<Leg, SipCall>;
export type Log = (level: SipLogEntry['level'], message: string) => void;

export function newLeg(rtc: StackSession, party: Participant): Leg {
  return {
    rtc,
    party,
    connected: false,
    ended: false,
    detached: false,
    held: false,
    ops: Promise.resolve(true),
    pc: null,
    output: null,
    remote: null,
    telephoneEvent: false,
    statsSample: null,
    intent: null,
    onEnd: new Set(),
    timers: new Set(),
    iceRestart: null,
  };
}

/** The caller's number and name as the protocol carries them. */
export function partyOf(session: StackSession): Participant {
  const user = session.remote_identity.uri.user ?? '';
  const cleaned = user.replace(/[\s().-]/g, '');
  const number = isPhoneNumber(cleaned) ? cleaned : UNKNOWN_CALLER_NUMBER;
  const display = (session.remote_identity.display_name ?? '').replace(/^"|"$/g, '').trim();
  // A caller known only by a SIP name keeps it as the name, so the agent sees who calls.
  const name = display !== '' ? display : number === UNKNOWN_CALLER_NUMBER && user !== '' ? user : '';
  return name === '' ? { number } : { number, name: name.slice(0, MAX_NAME) };
}

export interface LegsOptions {
  readonly core: SipCore;
  readonly log: Log;
  readonly media: SipMedia;
  readonly devices: () => SipDevices;
  readonly mediaOptions: () => StackMediaOptions;
  readonly onIceCandidate: (timers: Set<Timer>, candidate: RTCIceCandidate, ready: () => void) => void;
  /** How long a leg's ICE may go without any candidate before the leg ends (see ice.ts). */
  readonly noCandidateTimeoutMs: number;
  /** The media path recovery (see `watchMediaPath`): grace after ICE says disconnected, then how long a restart may take. */
  readonly iceRestart: { readonly graceMs: number; readonly timeoutMs: number };
  /** Whether the connection to the phone server is up (a re-INVITE sent without it ends the call). */
  readonly signalling: () => boolean;
  /** A 1xx for the leg (outbound). */
  readonly onProgress: (call: SipCall, leg: Leg) => void;
  /** The leg's dialog is confirmed. */
  readonly onConfirmed: (call: SipCall, leg: Leg) => void;
  /** The leg's session ended while it still concerned the call. */
  readonly onEnded: (call: SipCall, leg: Leg, event: StackEndEvent, wasConnected: boolean) => void;
}

interface Replacement {
  readonly call: SipCall;
  readonly leg: Leg;
  readonly previous: StackSession;
}

export type Legs = ReturnType<typeof createLegs>;

export function createLegs({ core, log, media, devices, mediaOptions, onIceCandidate, noCandidateTimeoutMs, iceRestart, signalling, onProgress, onConfirmed, onEnded }: LegsOptions) {
  const replacements = new Map<StackSession, Replacement>();
  /** Legs left to the transfer target to end after a merge (ended by the line after a grace time). */
  const lingering = new Set<Leg>();

  function terminate(leg: Leg, intent: EndIntent, options?: { status_code?: number; reason_phrase?: string }): void {
    leg.intent ??= intent;
    if (leg.ended || leg.rtc.isEnded()) return;
    try {
      leg.rtc.terminate(options);
    } catch (error) {
      // Already terminating on its own (JsSIP refuses a second terminate): its end event follows.
      log('warn', `Could not end a SIP session: ${describeError(error)}`);
    }
  }

  /** The leg's session ended (or was replaced away): release what it held. */
  function release(leg: Leg): void {
    leg.ended = true;
    clearTimers(leg.timers);
    if (leg.iceRestart) clearTimers(leg.iceRestart.timers);
    leg.iceRestart = null;
    leg.output?.stop();
    leg.output = null;
    leg.remote = null;
    for (const done of [...leg.onEnd]) done();
    leg.onEnd.clear();
  }

  /** Ends a leg that no longer concerns the call; releases it at once if JsSIP emits nothing more. */
  function detach(leg: Leg, intent: EndIntent): void {
    leg.detached = true;
    terminate(leg, intent);
    if (leg.rtc.isEnded()) release(leg);
  }

  /**
   * When the media path fails (a laptop changes networks, a NAT binding expires, a firewall starts
   * dropping UDP), ICE says "disconnected". After `graceMs` without recovery the line restarts ICE
   * with a re-INVITE (new ICE credentials, the same dialog), once the connection to the phone
   * server is up; if the media path is not back within `timeoutMs` of the loss being noticed, the
   * call ends as `connectionLost`. JsSIP itself ends a call whose ICE reaches "failed" (after some
   * 30 s in Chrome), so the restart has to start before that.
   */
  function watchMediaPath(call: SipCall, leg: Leg, pc: RTCPeerConnection): void {
    let graceTimers = new Set<Timer>();
    const recovered = () => {
      clearTimers(graceTimers);
      if (!leg.iceRestart) return;
      clearTimers(leg.iceRestart.timers);
      leg.iceRestart = null;
      log('info', `Call ${call.callId}: the media path is back.`);
    };
    const restart = () => {
      if (leg.ended || leg.pc !== pc || leg.iceRestart) return;
      const restartTimers = new Set<Timer>();
      leg.iceRestart = { timers: restartTimers };
      log('warn', `Call ${call.callId}: the media path was lost; restarting ICE (re-INVITE).`);
      schedule(restartTimers, iceRestart.timeoutMs, () => {
        if (leg.ended || leg.pc !== pc) return;
        log('warn', `Call ${call.callId}: the media path did not come back after an ICE restart; ending the call.`);
        terminate(leg, 'connectionLost');
      });
      let sent = false;
      const attempt = () => {
        if (leg.ended || leg.pc !== pc || leg.iceRestart?.timers !== restartTimers || sent) return;
        // Not while the phone server is away (JsSIP would end the call on the transport error) nor
        // during another re-INVITE (hold): try again shortly, within the restart's time.
        const started = signalling() && leg.rtc.isEstablished() && leg.rtc.isReadyToReOffer() && leg.rtc.renegotiate({ rtcOfferConstraints: { iceRestart: true } }, () => {});
        if (started) sent = true;
        else schedule(restartTimers, 250, attempt);
      };
      attempt();
    };
    pc.addEventListener('iceconnectionstatechange', () => {
      if (leg.pc !== pc || leg.ended) return;
      const state = pc.iceConnectionState;
      if (state === 'connected' || state === 'completed') recovered();
      else if (state === 'disconnected' && graceTimers.size === 0 && !leg.iceRestart) {
        graceTimers = new Set();
        schedule(graceTimers, iceRestart.graceMs, () => {
          graceTimers.clear();
          if (pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed') restart();
        });
      }
    });
  }

  function bindPeerConnection(call: SipCall, leg: Leg, pc: RTCPeerConnection): void {
    if (leg.pc === pc) return;
    leg.pc = pc;
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      if (leg.ended || leg.pc !== pc) return;
      if (!leg.output) {
        leg.output = media.createOutput();
        void leg.output.setSink(devices().speakerId);
      }
      leg.remote = event.streams[0] ?? new MediaStream([event.track]);
      leg.output.play(leg.remote);
    });
    watchMediaPath(call, leg, pc);
    watchForNoCandidate(pc, leg.timers, noCandidateTimeoutMs, () => {
      if (leg.pc !== pc || leg.ended) return;
      log('warn', `Call ${call.callId}: no network path for the audio (ICE found no candidate; check the ICE servers); ending it.`);
      terminate(leg, 'connectionLost');
    });
    // JsSIP ends a call when ICE fails, not when the DTLS / peer connection fails: without this the
    // agent would keep a silent ghost call.
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed' || leg.pc !== pc || leg.ended) return;
      log('warn', `The media connection of call ${call.callId} failed; ending it.`);
      terminate(leg, 'connectionLost');
    });
  }

  function bind(call: SipCall, leg: Leg, rtc: StackSession): void {
    const mine = () => leg.rtc === rtc && !leg.detached;
    rtc.on('peerconnection', ({ peerconnection }) => {
      if (leg.rtc === rtc) bindPeerConnection(call, leg, peerconnection);
    });
    rtc.on('icecandidate', ({ candidate, ready }) => onIceCandidate(leg.timers, candidate, ready));
    rtc.on('sdp', (event) => {
      if (event.originator === 'remote' && leg.rtc === rtc) leg.telephoneEvent = /\btelephone-event\//i.test(event.sdp);
    });
    rtc.on('progress', (event) => {
      if (event.originator === 'remote' && mine()) onProgress(call, leg);
    });
    rtc.on('confirmed', () => {
      if (mine()) onConfirmed(call, leg);
    });
    rtc.on('failed', (event) => onSessionEnd(call, leg, rtc, event));
    rtc.on('ended', (event) => onSessionEnd(call, leg, rtc, event));
    rtc.on('replaces', (event) => {
      if (!mine() || call.ended || !leg.connected || leg.ended) {
        event.reject();
        return;
      }
      event.accept((next) => {
        replacements.set(next, { call, leg, previous: rtc });
      });
    });
    // Nobody transfers the agent away from a call they are handling.
    rtc.on('refer', (event) => event.reject());
    if (rtc.connection) bindPeerConnection(call, leg, rtc.connection);
  }

  function onSessionEnd(call: SipCall, leg: Leg, rtc: StackSession, event: StackEndEvent): void {
    // The replaced session of a transfer this agent is the target of: ended by design.
    if (leg.rtc !== rtc) return;
    const pending = replacements.get(rtc);
    if (pending) {
      // The replacing session failed before it was confirmed: stay with the previous one if alive.
      replacements.delete(rtc);
      if (!pending.previous.isEnded()) {
        leg.rtc = pending.previous;
        return;
      }
    }
    const wasConnected = leg.connected;
    release(leg);
    lingering.delete(leg);
    if (leg.detached || call.ended) return;
    log('info', `Call ${call.callId}: SIP session ended (${event.originator}, ${event.cause}${event.message?.status_code ? `, ${event.message.status_code}` : ''}).`);
    onEnded(call, leg, event, wasConnected);
  }

  /** An INVITE with Replaces for a call of this agent: it takes over that call, same callId. */
  function adoptReplacement(rtc: StackSession, replacement: Replacement): void {
    const { call, leg } = replacement;
    if (call.ended || leg.ended || leg.detached) {
      replacements.delete(rtc);
      try {
        rtc.terminate({ status_code: 481 });
      } catch {
        // Already gone.
      }
      return;
    }
    leg.rtc = rtc;
    leg.pc = null;
    leg.held = false;
    leg.ops = Promise.resolve(true);
    bind(call, leg, rtc);
    rtc.on('confirmed', () => {
      if (leg.rtc !== rtc || call.ended) return;
      replacements.delete(rtc);
      leg.party = partyOf(rtc);
      core.remember(call, leg.party);
      if (call.muted) rtc.mute({ audio: true });
      log('info', `Call ${call.callId} was taken over by a transferred party.`);
      const active = core.activeLeg(call) === leg;
      if (leg === call.main && call.consult === null) core.sync(call, { activeParticipant: leg.party, inactiveParticipant: null });
      else if (active) core.sync(call, { activeParticipant: leg.party, inactiveParticipant: call.consultIsActive ? call.main.party : (call.consult?.party ?? null) });
      else core.sync(call, { activeParticipant: core.activeLeg(call).party, inactiveParticipant: leg.party });
    });
    // Answered once JsSIP has finished announcing the session (it sends 180 right after).
    queueMicrotask(() => {
      if (leg.rtc !== rtc || call.ended) return;
      try {
        rtc.answer(mediaOptions());
      } catch (error) {
        log('warn', `Could not take over a transferred call: ${describeError(error)}`);
        leg.rtc = replacement.previous;
        replacements.delete(rtc);
      }
    });
  }

  return {
    lingering,
    terminate,
    release,
    detach,
    bind,
    /** The replacement a new incoming session is, if it is one (see {@link adoptReplacement}). */
    adopt(rtc: StackSession): boolean {
      const replacement = replacements.get(rtc);
      if (replacement) adoptReplacement(rtc, replacement);
      return replacement !== undefined;
    },
  };
}
