/**
 * A remote party for the SIP lab, on bare JsSIP with its default settings: the customer, or a
 * second agent. Scripted from Node through `window.lab`: it registers, calls, answers (at once, after
 * a delay, or never), rejects with a status code, hangs up, accepts a REFER (placing the INVITE with
 * Replaces it asks for), accepts an INVITE with Replaces, and records the DTMF it receives by INFO.
 *
 * Lab pages may import JsSIP directly; in the app only src/telephony/sip/jssip.ts does.
 */
import * as JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import { audio, clockOffset, descriptions, emit, micTone, hearing, selectedCandidates } from './media';

type Session = RTCSession;

interface Behaviour {
  /** Answer incoming calls after this many ms (after ringing); null: never answer by itself. */
  answerAfterMs: number | null;
  /** Reject incoming calls with this status after `answerAfterMs` instead of answering. */
  rejectWith: number | null;
  /** Leave telephone-event out of the SDP it sends, so DTMF must come by SIP INFO. */
  noTelephoneEvent: boolean;
}

interface CallRecord {
  readonly id: number;
  readonly direction: 'incoming' | 'outgoing';
  readonly remote: string;
  status: 'calling' | 'ringing' | 'connected' | 'ended';
  cause: string | null;
  originator: string | null;
  statusCode: number | null;
  /** Whether this call replaced an earlier one (transfer). */
  replaces: boolean;
  /** Times (performance.timeOrigin + now) for the bench. */
  invitedAt: number | null;
  /** The dialog's Call-ID, once the INVITE is on its way. */
  sipCallId: string | null;
}

let ua: JsSIP.UA | null = null;
let behaviour: Behaviour = { answerAfterMs: 300, rejectWith: null, noTelephoneEvent: false };
const calls: CallRecord[] = [];
const sessions = new Map<number, Session>();
let current: Session | null = null;
let dtmf = '';
let registered = false;
const player = document.createElement('audio');
player.autoplay = true;
document.body.append(player);

function now(): number {
  return performance.timeOrigin + performance.now();
}

function stripTelephoneEvent(sdp: string): string {
  const payloads = [...sdp.matchAll(/^a=rtpmap:(\d+) telephone-event\/\d+/gm)].map((m) => m[1]);
  if (payloads.length === 0) return sdp;
  let out = sdp
    .split('\r\n')
    .filter((line) => !payloads.some((pt) => line.startsWith(`a=rtpmap:${pt} `) || line.startsWith(`a=fmtp:${pt} `)))
    .join('\r\n');
  out = out.replace(/^(m=audio \d+ [A-Z/]+)((?: \d+)+)$/m, (_all, head: string, list: string) => {
    const kept = list.trim().split(' ').filter((pt) => !payloads.includes(pt));
    return `${head} ${kept.join(' ')}`;
  });
  return out;
}

const mediaOptions = () => ({
  mediaConstraints: { audio: true, video: false },
  pcConfig: { iceServers: [] },
});

function track(session: Session, direction: 'incoming' | 'outgoing', replaces: boolean): CallRecord {
  const record: CallRecord = {
    id: calls.length + 1,
    direction,
    remote: session.remote_identity?.uri?.user ?? '',
    status: direction === 'incoming' ? 'ringing' : 'calling',
    cause: null,
    originator: null,
    statusCode: null,
    replaces,
    invitedAt: direction === 'incoming' ? now() : null,
    sipCallId: null,
  };
  calls.push(record);
  sessions.set(record.id, session);
  current = session;
  session.on('sdp', (event) => {
    if (event.originator === 'local' && behaviour.noTelephoneEvent) event.sdp = stripTelephoneEvent(event.sdp);
  });
  session.on('peerconnection', ({ peerconnection }) => attachAudio(peerconnection));
  if (session.connection) attachAudio(session.connection);
  session.on('connecting', (event) => {
    // JsSIP's type for an incoming request omits call_id, which every SIP message has.
    record.sipCallId = (event.request as unknown as { call_id?: string }).call_id ?? null;
  });
  session.on('progress', () => {
    if (record.status === 'calling') record.status = 'ringing';
  });
  session.on('confirmed', () => {
    record.status = 'connected';
    emit({ kind: 'party', what: 'connected', id: record.id });
  });
  const ended = (event: { cause: string; originator: string; message?: any }) => {
    record.status = 'ended';
    record.cause = event.cause;
    record.originator = event.originator;
    record.statusCode = event.message?.status_code ?? null;
    if (current === session) current = null;
    emit({ kind: 'party', what: 'ended', id: record.id, cause: event.cause, originator: event.originator });
  };
  session.on('ended', ended);
  session.on('failed', ended);
  session.on('newDTMF', (event: { originator: string; dtmf: { tone: string } }) => {
    if (event.originator === 'remote') dtmf += event.dtmf.tone;
  });
  session.on('refer', (event) => {
    // The transferor asks this party to call the transfer target (with Replaces for a warm
    // transfer); the new call becomes this party's current call.
    (event.accept as (init: (s: Session) => void, options: object) => void)((next) => {
      track(next, 'outgoing', true);
    }, mediaOptions());
  });
  session.on('replaces', (event) => {
    (event.accept as (init: (s: Session) => void) => void)((next) => {
      track(next, 'incoming', true);
      queueMicrotask(() => next.answer(mediaOptions()));
    });
  });
  return record;
}

function attachAudio(pc: RTCPeerConnection): void {
  pc.addEventListener('track', (event) => {
    player.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    void player.play().catch(() => {});
  });
}

function session(): Session {
  if (!current) throw new Error('The party has no call.');
  return current;
}

window.lab = {
  /** Registers; resolves once registered. */
  start(options: { wsUrl: string; uri: string; displayName?: string; password?: string }) {
    const socket = new JsSIP.WebSocketInterface(options.wsUrl);
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: options.uri,
      ...(options.password ? { password: options.password } : {}),
      ...(options.displayName ? { display_name: options.displayName } : {}),
      register: true,
    });
    ua.on('registered', () => {
      registered = true;
    });
    ua.on('unregistered', () => {
      registered = false;
    });
    ua.on('disconnected', () => {
      registered = false;
    });
    ua.on('newRTCSession', (event: any) => {
      if (event.originator !== 'remote') return;
      const incoming = event.session as Session;
      // An INVITE with Replaces was already tracked by the 'replaces' handler.
      if (calls.some((c) => sessions.get(c.id) === incoming)) return;
      if (current && !current.isEnded()) {
        incoming.terminate({ status_code: 486 });
        return;
      }
      track(incoming, 'incoming', false);
      const { answerAfterMs, rejectWith } = behaviour;
      if (answerAfterMs === null) return;
      setTimeout(() => {
        if (incoming.isEnded()) return;
        if (rejectWith !== null) incoming.terminate({ status_code: rejectWith });
        else incoming.answer(mediaOptions());
      }, answerAfterMs);
    });
    ua.start();
    return new Promise<void>((resolve, reject) => {
      ua!.once('registered', () => resolve());
      ua!.once('registrationFailed', (e: any) => reject(new Error(`Registration failed: ${e.cause}`)));
    });
  },
  configure(next: Partial<Behaviour>) {
    behaviour = { ...behaviour, ...next };
  },
  /** Calls a SIP URI. Returns the call's record id and when the call was asked for (page clock). */
  call(target: string) {
    if (!ua) throw new Error('Not started.');
    const at = now();
    const outgoing = ua.call(target, { ...mediaOptions() });
    const record = track(outgoing, 'outgoing', false);
    return { id: record.id, at };
  },
  answer() {
    session().answer(mediaOptions());
  },
  reject(statusCode: number) {
    session().terminate({ status_code: statusCode });
  },
  hangUp() {
    session().terminate();
  },
  /** The calls this party saw, oldest first, and the DTMF digits it received by INFO. */
  state() {
    return { registered, calls: calls.map((c) => ({ ...c })), dtmf };
  },
  /** Per open peer connection: RTP bytes and audio energy, from getStats. */
  audio,
  hearing,
  micTone,
  selectedCandidates,
  descriptions,
  clockOffset,
  /** Ends whatever call is still up and restores the default behaviour, between tests. */
  reset() {
    behaviour = { answerAfterMs: 300, rejectWith: null, noTelephoneEvent: false };
    for (const s of sessions.values()) {
      if (!s.isEnded()) {
        try {
          s.terminate();
        } catch {
          // Ending on its own.
        }
      }
    }
    current = null;
    dtmf = '';
  },
  stop() {
    ua?.stop();
  },
};
