/**
 * What the lab pages measure about media: every RTCPeerConnection the page creates is tracked
 * (the global constructor is wrapped before any SIP code runs), and `audio()` reads, per open
 * connection, the RTP bytes and audio energy its getStats reports. Tests compare two readings to
 * prove audio flows (bytes rising) or stopped (energy flat).
 */
import { rms, toneStrength } from '../lab/tone';

export interface AudioReading {
  /** Index of the peer connection in creation order. */
  readonly pc: number;
  readonly state: RTCPeerConnectionState;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  /** Sum of the received audio's energy (inbound-rtp totalAudioEnergy). */
  readonly energyReceived: number;
  /** Sum of the sent audio's energy (media-source totalAudioEnergy). */
  readonly energySent: number;
}

const tracked: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;
/** DTMF tones played by any RTCDTMFSender of the page (RFC 4733), in order. */
let tonesSent = '';

class TrackedPeerConnection extends Native {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    tracked.push(this);
  }

  override addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    const sender = super.addTrack(track, ...streams);
    sender.dtmf?.addEventListener('tonechange', (event) => {
      tonesSent += (event as RTCDTMFToneChangeEvent).tone;
    });
    return sender;
  }
}

export function rtpTonesSent(): string {
  return tonesSent;
}
window.RTCPeerConnection = TrackedPeerConnection as typeof RTCPeerConnection;

export function peerConnections(): readonly RTCPeerConnection[] {
  return tracked;
}

export async function audio(): Promise<AudioReading[]> {
  const readings: AudioReading[] = [];
  for (const [index, pc] of tracked.entries()) {
    if (pc.connectionState === 'closed') continue;
    let bytesReceived = 0;
    let bytesSent = 0;
    let packetsReceived = 0;
    let energyReceived = 0;
    let energySent = 0;
    const report = await pc.getStats();
    report.forEach((stat: any) => {
      if (stat.kind !== 'audio' && stat.type !== 'media-source') return;
      if (stat.type === 'inbound-rtp') {
        bytesReceived += stat.bytesReceived ?? 0;
        packetsReceived += stat.packetsReceived ?? 0;
        energyReceived += stat.totalAudioEnergy ?? 0;
      } else if (stat.type === 'outbound-rtp') {
        bytesSent += stat.bytesSent ?? 0;
      } else if (stat.type === 'media-source' && stat.kind === 'audio') {
        energySent += stat.totalAudioEnergy ?? 0;
      }
    });
    readings.push({ pc: index, state: pc.connectionState, bytesReceived, bytesSent, packetsReceived, energyReceived, energySent });
  }
  return readings;
}

/**
 * What the page hears on its newest connected peer connection, by content: for each frequency,
 * its {@link toneStrength} in `ms` of the received audio (about 1: that tone; near 0: not), and the
 * audio's RMS level. The company lab's desk phone sends a known tone; this proves it arrives.
 * `pcIndex` picks one peer connection instead (creation order, as `audio()` numbers them).
 */
export async function hearing(frequencies: number[], ms = 500, pcIndex?: number | null): Promise<{ pc: number; rms: number; strengths: number[] } | null> {
  const connected = tracked
    .map((pc, index) => ({ pc, index }))
    .filter(({ pc, index }) => pc.connectionState === 'connected' && (pcIndex === undefined || pcIndex === null || index === pcIndex))
    .at(-1);
  const track = connected?.pc.getReceivers().find((r) => r.track.kind === 'audio')?.track;
  if (!connected || !track) return null;
  const context = new AudioContext();
  try {
    const stream = new MediaStream([track]);
    // Chromium feeds a remote WebRTC track to Web Audio only while a media element plays it too.
    const element = new Audio();
    element.muted = true;
    element.srcObject = stream;
    await element.play().catch(() => {});
    const source = context.createMediaStreamSource(stream);
    const recorder = context.createScriptProcessor(4096, 1, 1);
    const chunks: Float32Array[] = [];
    recorder.onaudioprocess = (event) => chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
    source.connect(recorder);
    recorder.connect(context.destination);
    await context.resume();
    await new Promise((done) => setTimeout(done, ms));
    source.disconnect();
    recorder.disconnect();
    element.srcObject = null;
    const samples = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      samples.set(chunk, at);
      at += chunk.length;
    }
    return { pc: connected.index, rms: rms(samples), strengths: frequencies.map((f) => toneStrength(samples, context.sampleRate, f)) };
  } finally {
    await context.close();
  }
}

/** Every media element the page gave a stream to (the line's call audio, ringtone, waiting tone). */
const streamElements = new Set<HTMLMediaElement>();
const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
  configurable: true,
  get(this: HTMLMediaElement) {
    return srcObject.get!.call(this);
  },
  set(this: HTMLMediaElement, value: MediaProvider | null) {
    if (value) streamElements.add(this);
    srcObject.set!.call(this, value);
  },
});

/**
 * What the page plays to its user, by content: for every unmuted, playing media element with a
 * stream, the strongest {@link toneStrength} of each frequency over `ms`, in ~85 ms windows that
 * carry sound. Catches a short beep (the call-waiting tone) and tells it from a two-tone ring.
 */
export async function playing(frequencies: number[], ms = 6000): Promise<{ peaks: number[] }[]> {
  const live = [...streamElements].filter((element) => !element.paused && !element.muted && element.srcObject instanceof MediaStream && element.srcObject.getAudioTracks().length > 0);
  const context = new AudioContext();
  try {
    const recordings = live.map((element) => {
      const source = context.createMediaStreamSource(element.srcObject as MediaStream);
      const recorder = context.createScriptProcessor(4096, 1, 1);
      const chunks: Float32Array[] = [];
      recorder.onaudioprocess = (event) => chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
      source.connect(recorder);
      recorder.connect(context.destination);
      return { source, recorder, chunks };
    });
    await context.resume();
    await new Promise((done) => setTimeout(done, ms));
    return recordings.map(({ source, recorder, chunks }) => {
      source.disconnect();
      recorder.disconnect();
      const peaks = frequencies.map(() => 0);
      for (const chunk of chunks) {
        if (rms(chunk) < 0.005) continue;
        frequencies.forEach((f, i) => {
          peaks[i] = Math.max(peaks[i]!, toneStrength(chunk, context.sampleRate, f));
        });
      }
      return { peaks };
    });
  } finally {
    await context.close();
  }
}

/** Which candidate types carry the newest connected peer connection (its selected pair). */
export async function selectedCandidates(): Promise<{ local: string; remote: string; localAddress: string; remoteAddress: string } | null> {
  const pc = tracked.filter((p) => p.connectionState === 'connected').at(-1);
  if (!pc) return null;
  const report = await pc.getStats();
  let pairId: string | undefined;
  report.forEach((stat: any) => {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
  });
  const pair: any = pairId ? report.get(pairId) : undefined;
  if (!pair) return null;
  const local: any = report.get(pair.localCandidateId);
  const remote: any = report.get(pair.remoteCandidateId);
  return { local: local?.candidateType, remote: remote?.candidateType, localAddress: `${local?.address}:${local?.port}`, remoteAddress: `${remote?.address}:${remote?.port}` };
}

declare global {
  interface Window {
    lab: Record<string, (...args: any[]) => unknown>;
    labEmit?: (data: unknown) => void;
  }
}

export function emit(data: unknown): void {
  window.labEmit?.(data);
}

/**
 * How far the page's high-resolution clock (performance.timeOrigin + now(), used for every
 * timestamp the lab pages report) is ahead of the system's wall clock (which Kamailio's $TV uses),
 * in ms. Date.now() floors to the millisecond, so the mean difference over many samples is the
 * offset plus half a millisecond.
 */
export function clockOffset(): number {
  let sum = 0;
  let count = 0;
  const until = performance.now() + 25;
  while (performance.now() < until) {
    sum += performance.timeOrigin + performance.now() - Date.now();
    count += 1;
  }
  return sum / count - 0.5;
}

/** Timestamps (page clock) of what happens between a dial and its INVITE, for the bench. */
export const phases: { name: string; at: number }[] = [];
const stamp = (name: string) => phases.push({ name, at: performance.timeOrigin + performance.now() });
/** The frequency the page's microphone plays instead of Chromium's fake beep, once set (see {@link micTone}). */
let micFrequency: number | null = null;
const micContexts: AudioContext[] = [];

/**
 * Makes this page's next microphones a steady sine at `frequency` (Web Audio), so a test can tell
 * by content whose voice another page hears (every page of the browser shares one fake device).
 */
export function micTone(frequency: number | null): void {
  micFrequency = frequency;
}

function toneStream(frequency: number): MediaStream {
  const context = new AudioContext();
  micContexts.push(context);
  const oscillator = context.createOscillator();
  oscillator.frequency.value = frequency;
  const gain = context.createGain();
  gain.gain.value = 0.3;
  const destination = context.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  void context.resume();
  return destination.stream;
}

if (navigator.mediaDevices) {
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    stamp('getUserMedia');
    const stream = micFrequency !== null && constraints?.audio && !constraints.video ? toneStream(micFrequency) : await getUserMedia(constraints);
    stamp('gotUserMedia');
    return stream;
  };
}
const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(this: WebSocket, data) {
  if (typeof data === 'string' && data.startsWith('INVITE ')) stamp('INVITE sent');
  return nativeSend.call(this, data);
};
const nativeSetLocal = Native.prototype.setLocalDescription;
Native.prototype.setLocalDescription = async function setLocalDescription(this: RTCPeerConnection, ...args: any[]) {
  stamp('setLocalDescription');
  this.addEventListener('icecandidate', (e) => {
    if (e.candidate) stamp(`candidate ${e.candidate.type} ${e.candidate.protocol}`);
  }, { once: true });
  return (nativeSetLocal as any).apply(this, args);
} as typeof nativeSetLocal;

export function takePhases(): { name: string; at: number }[] {
  return phases.splice(0);
}

/** The local and remote SDP of every open peer connection, for failure messages. */
export function descriptions(): { pc: number; local: string; remote: string }[] {
  return tracked
    .map((pc, index) => ({ pc: index, state: pc.connectionState, local: pc.localDescription?.sdp ?? '', remote: pc.remoteDescription?.sdp ?? '' }))
    .filter((d) => d.state !== 'closed');
}

/**
 * Gathers ICE candidates with `iceServers` and the relay-only policy on a throwaway connection, and
 * returns their types: proves whether a TURN server grants an allocation to these credentials.
 */
export async function gatherRelay(iceServers: RTCIceServer[], timeoutMs = 5000): Promise<string[]> {
  const pc = new Native({ iceServers, iceTransportPolicy: 'relay' });
  const types: string[] = [];
  try {
    pc.addTransceiver('audio');
    const done = new Promise<void>((resolve) => {
      pc.addEventListener('icecandidate', (event) => {
        if (event.candidate) types.push(event.candidate.type ?? 'unknown');
        else resolve();
      });
      setTimeout(resolve, timeoutMs);
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    return types;
  } finally {
    pc.close();
  }
}
