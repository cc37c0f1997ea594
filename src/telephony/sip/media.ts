/**
 * The browser's audio as the SIP line uses it: where a call's remote audio plays, the ringtone,
 * the microphone constraint, and call quality read from a peer connection's getStats. Reached
 * through {@link SipMedia} so the unit tests can run without audio hardware.
 */
import type { AudioStats } from '../protocol';

/** The devices the agent chose; undefined means the system default. */
export interface SipDevices {
  readonly microphoneId?: string;
  /** Where a call's remote audio plays. */
  readonly speakerId?: string;
  /** Where the ringtone of an incoming call plays. */
  readonly ringerId?: string;
}

/** Plays one stream on a chosen output. */
export interface AudioOutput {
  play(stream: MediaStream): void;
  /** Switches output device; resolves false when the browser cannot (no setSinkId, unknown id). */
  setSink(deviceId: string | undefined): Promise<boolean>;
  stop(): void;
}

export interface Ringer {
  start(): void;
  stop(): void;
  setSink(deviceId: string | undefined): Promise<boolean>;
  dispose(): void;
}

/** One leg of a conference as the mix sees it: its peer connection and the party's audio. */
export interface MixLeg {
  readonly pc: RTCPeerConnection;
  /** The party's audio as received; null before its first track arrived. */
  readonly remote: MediaStream | null;
}

/** The local mix of a three-way call (see {@link SipMedia.mixConference}). */
export interface ConferenceMix {
  /** Mutes or unmutes the agent's microphone in both legs; the two parties still hear each other. */
  setMuted(muted: boolean): void;
  /** Puts each leg's own microphone track back on its sender and releases every audio node. */
  stop(): void;
}

/** What the SIP line needs from the browser's audio. */
export interface SipMedia {
  createOutput(): AudioOutput;
  createRinger(): Ringer;
  /**
   * The call-waiting tone: a short beep every few seconds, played with the call audio (on the
   * speaker output, not the ringer's), while a second caller waits.
   */
  createWaitingTone(): Ringer;
  /**
   * Mixes a three-way call locally (issue 12): each leg sends the agent's microphone plus the
   * other leg's party, so the two parties hear each other and the agent; the agent already hears
   * both legs through their outputs. Throws when the browser cannot mix.
   */
  mixConference(legs: readonly [MixLeg, MixLeg], muted: boolean): ConferenceMix;
  /** A new microphone track (to switch microphones during a call). */
  getMicrophoneTrack(constraints: MediaTrackConstraints | true): Promise<MediaStreamTrack>;
}

/** The microphone constraint for a device choice: the chosen one when present, else the default. */
export function microphoneConstraints(microphoneId: string | undefined): MediaTrackConstraints | true {
  // `ideal`, not `exact`: an unplugged headset must not make every call fail.
  return microphoneId ? { deviceId: { ideal: microphoneId } } : true;
}

type SinkableAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

async function applySink(element: SinkableAudio, deviceId: string | undefined): Promise<boolean> {
  if (typeof element.setSinkId !== 'function') return deviceId === undefined;
  try {
    await element.setSinkId(deviceId ?? '');
    return true;
  } catch {
    return false;
  }
}

function audioElement(): SinkableAudio {
  const element = document.createElement('audio') as SinkableAudio;
  element.autoplay = true;
  return element;
}

function browserOutput(): AudioOutput {
  const element = audioElement();
  return {
    play(stream) {
      element.srcObject = stream;
      // Autoplay may be refused before the agent interacted with the page; the stream still flows.
      void element.play().catch(() => {});
    },
    setSink: (deviceId) => applySink(element, deviceId),
    stop() {
      element.pause();
      element.srcObject = null;
    },
  };
}

/** The North American ring: 440 + 480 Hz, two seconds on, four off, synthesized (no asset to load). */
function browserRinger(ringtoneUrl: string | undefined): Ringer {
  const element = audioElement();
  element.loop = true;
  let context: AudioContext | null = null;
  let cadence: ReturnType<typeof setInterval> | null = null;

  function synthesize(): void {
    const Context = globalThis.AudioContext;
    if (!Context) return;
    context = new Context();
    const gain = context.createGain();
    gain.gain.value = 0;
    const destination = context.createMediaStreamDestination();
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
    }
    gain.connect(destination);
    const ring = () => {
      if (!context) return;
      const t = context.currentTime;
      gain.gain.setValueAtTime(0.15, t);
      gain.gain.setValueAtTime(0, t + 2);
    };
    ring();
    cadence = setInterval(ring, 6000);
    // Through a media element, so the ringtone can go to its own output (setSinkId).
    element.srcObject = destination.stream;
  }

  return {
    start() {
      if (ringtoneUrl) element.src = ringtoneUrl;
      else if (!context) synthesize();
      void element.play().catch(() => {});
    },
    stop() {
      element.pause();
      if (cadence !== null) clearInterval(cadence);
      cadence = null;
      void context?.close().catch(() => {});
      context = null;
      if (!ringtoneUrl) element.srcObject = null;
    },
    setSink: (deviceId) => applySink(element, deviceId),
    dispose() {
      this.stop();
      element.removeAttribute('src');
    },
  };
}

/**
 * The call-waiting tone: 440 Hz for 300 ms, every 5 s (the North American call-waiting tone), the
 * first beep 500 ms after it starts.
 */
export const WAITING_TONE = { frequency: 440, beepMs: 300, everyMs: 5000, firstAfterMs: 500 } as const;

/** The call-waiting tone, synthesized, through its own media element so it follows the speaker choice. */
function browserWaitingTone(): Ringer {
  const element = audioElement();
  let context: AudioContext | null = null;
  let cadence: ReturnType<typeof setInterval> | null = null;
  return {
    start() {
      const Context = globalThis.AudioContext;
      if (context || !Context) return;
      context = new Context();
      const gain = context.createGain();
      gain.gain.value = 0;
      const oscillator = context.createOscillator();
      oscillator.frequency.value = WAITING_TONE.frequency;
      oscillator.connect(gain);
      oscillator.start();
      const destination = context.createMediaStreamDestination();
      gain.connect(destination);
      const beep = (delayMs: number) => {
        if (!context) return;
        const t = context.currentTime + delayMs / 1000;
        gain.gain.setValueAtTime(0.2, t);
        gain.gain.setValueAtTime(0, t + WAITING_TONE.beepMs / 1000);
      };
      // The first beep a moment later: a caller the machine declines at once (call waiting off,
      // two calls already) stops the tone before anything is heard.
      beep(WAITING_TONE.firstAfterMs);
      cadence = setInterval(() => beep(0), WAITING_TONE.everyMs);
      element.srcObject = destination.stream;
      void element.play().catch(() => {});
    },
    stop() {
      element.pause();
      if (cadence !== null) clearInterval(cadence);
      cadence = null;
      void context?.close().catch(() => {});
      context = null;
      element.srcObject = null;
    },
    setSink: (deviceId) => applySink(element, deviceId),
    dispose() {
      this.stop();
    },
  };
}

function audioSender(pc: RTCPeerConnection): RTCRtpSender | undefined {
  return pc.getSenders().find((sender) => sender.track?.kind === 'audio');
}

/**
 * The browser's conference mix: one AudioContext; per leg a MediaStreamAudioDestinationNode fed
 * by that leg's microphone track and the other leg's remote audio, whose track replaces the
 * microphone on the leg's sender (RTCRtpSender.replaceTrack, no renegotiation). The remote audio
 * also keeps playing through the leg's media element (Chrome feeds a remote WebRTC stream to Web
 * Audio only while a media element plays it).
 */
function browserConferenceMix(legs: readonly [MixLeg, MixLeg], muted: boolean): ConferenceMix {
  const Context = globalThis.AudioContext;
  if (!Context) throw new Error('This browser has no Web Audio.');
  const senders = legs.map((leg) => audioSender(leg.pc));
  const mics = senders.map((sender) => sender?.track ?? null);
  if (senders.some((sender) => !sender) || mics.some((mic) => !mic)) throw new Error('A leg has no microphone track to mix.');
  const context = new Context();
  const nodes: AudioNode[] = [];
  const mixed: MediaStreamTrack[] = [];
  legs.forEach((_, i) => {
    const destination = context.createMediaStreamDestination();
    const mic = context.createMediaStreamSource(new MediaStream([mics[i]!]));
    mic.connect(destination);
    nodes.push(mic, destination);
    const other = legs[1 - i]!.remote;
    if (other && other.getAudioTracks().length > 0) {
      const party = context.createMediaStreamSource(other);
      party.connect(destination);
      nodes.push(party);
    }
    const [track] = destination.stream.getAudioTracks();
    mixed.push(track!);
    void senders[i]!.replaceTrack(track!).catch(() => {});
  });
  const setMuted = (value: boolean) => {
    // JsSIP mutes by disabling the sender's track (now the mix): keep the mix on, mute the microphones.
    for (const mic of mics) mic!.enabled = !value;
    for (const track of mixed) track.enabled = true;
  };
  setMuted(muted);
  void context.resume().catch(() => {});
  let stopped = false;
  return {
    setMuted,
    stop() {
      if (stopped) return;
      stopped = true;
      senders.forEach((sender, i) => {
        if (sender!.track === mixed[i]) void sender!.replaceTrack(mics[i]!).catch(() => {});
      });
      for (const node of nodes) node.disconnect();
      for (const track of mixed) track.stop();
      void context.close().catch(() => {});
    },
  };
}

/** The real browser media. */
export function browserMedia(options: { ringtoneUrl?: string } = {}): SipMedia {
  return {
    createOutput: browserOutput,
    createRinger: () => browserRinger(options.ringtoneUrl),
    createWaitingTone: browserWaitingTone,
    mixConference: browserConferenceMix,
    async getMicrophoneTrack(constraints) {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: constraints, video: false });
      const [track] = stream.getAudioTracks();
      if (!track) throw new Error('The microphone gave no audio track.');
      return track;
    },
  };
}

// ---- call quality ------------------------------------------------------------------------------

/** Counters of one reading, kept to compute the loss over the next interval. */
export interface StatsSample {
  readonly packetsReceived: number;
  readonly packetsLost: number;
}

/**
 * Estimated MOS with the simplified E-model (ITU-T G.107 as commonly reduced for VoIP monitoring):
 * effective latency = rtt / 2 + 2 x jitter + 10 ms codec delay; R = 93.2 minus the delay
 * impairment, minus 2.5 per percent of packet loss; MOS from R with the G.107 mapping.
 */
export function estimateMos(rttMs: number, jitterMs: number, packetLoss: number): number {
  const latency = rttMs / 2 + jitterMs * 2 + 10;
  let r = 93.2 - (latency < 160 ? latency / 40 : (latency - 120) / 10);
  r -= packetLoss * 100 * 2.5;
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(5, Math.max(1, mos)) * 100) / 100;
}

/**
 * Reads a peer connection's audio quality: jitter and loss of the audio it receives, the round
 * trip from RTCP (or the ICE candidate pair), and the MOS estimate. `previous` is the last sample,
 * so the loss is the loss of the interval, not of the whole call. Null when there is no inbound
 * audio yet.
 */
export async function readAudioStats(
  pc: RTCPeerConnection,
  previous: StatsSample | null,
): Promise<{ stats: AudioStats; sample: StatsSample } | null> {
  const report = await pc.getStats();
  let inbound: { jitter?: number; packetsReceived?: number; packetsLost?: number } | null = null;
  let rtt: number | null = null;
  let pairRtt: number | null = null;
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type === 'inbound-rtp' && stat.kind === 'audio') inbound = stat as typeof inbound;
    else if (stat.type === 'remote-inbound-rtp' && stat.kind === 'audio' && typeof stat.roundTripTime === 'number') rtt = stat.roundTripTime;
    else if (stat.type === 'candidate-pair' && stat.nominated === true && typeof stat.currentRoundTripTime === 'number') pairRtt = stat.currentRoundTripTime;
  });
  const received = inbound as { jitter?: number; packetsReceived?: number; packetsLost?: number } | null;
  if (!received) return null;
  const sample: StatsSample = { packetsReceived: received.packetsReceived ?? 0, packetsLost: Math.max(0, received.packetsLost ?? 0) };
  const receivedDelta = sample.packetsReceived - (previous?.packetsReceived ?? 0);
  const lostDelta = sample.packetsLost - (previous?.packetsLost ?? 0);
  const expected = receivedDelta + lostDelta;
  const packetLoss = expected > 0 ? Math.min(1, Math.max(0, lostDelta / expected)) : 0;
  const jitter = Math.max(0, (received.jitter ?? 0) * 1000);
  const roundTrip = Math.max(0, ((rtt ?? pairRtt ?? 0) as number) * 1000);
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    stats: {
      jitter: round(jitter, 1),
      packetLoss: round(packetLoss, 4),
      rtt: round(roundTrip, 1),
      mos: estimateMos(roundTrip, jitter, packetLoss),
    },
    sample,
  };
}
