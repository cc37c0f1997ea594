/**
 * The SIP line's ICE job: JsSIP sends an offer or answer only once ICE gathering has finished
 * (about 150 ms, much more with STUN / TURN). The gate sends it on the first usable candidate.
 */
import { schedule, type Timer } from '../session';

/**
 * Returns what to do with each local candidate: without ICE servers (as `iceServers()` gives them
 * now) the first candidate is enough;
 * with them, the first server-reflexive or relay one, or whatever was gathered `timeoutMs` after
 * the first candidate. `timers` are the leg's, so the wait ends with the leg.
 */
export function createIceGate(iceServers: () => readonly RTCIceServer[], timeoutMs: number) {
  const waits = new WeakSet<() => void>();
  return function onIceCandidate(timers: Set<Timer>, candidate: RTCIceCandidate, ready: () => void): void {
    if (iceServers().length === 0) {
      ready();
      return;
    }
    const type = candidate.type ?? / typ (\w+)/.exec(candidate.candidate)?.[1];
    if (type === 'srflx' || type === 'relay') {
      ready();
      return;
    }
    // One timer per offer / answer being gathered (each has its own ready()).
    if (waits.has(ready)) return;
    waits.add(ready);
    schedule(timers, timeoutMs, ready);
  };
}

/**
 * Ends a call whose ICE finds no candidate at all, instead of leaving it waiting: JsSIP sends the
 * offer or answer only once it has a candidate or gathering is complete, and a TURN server that
 * never answers (with iceTransportPolicy "relay", or STUN and TURN both blocked) keeps gathering
 * going for a long time: Answer would stay on "Answering". Watches the peer connection from its
 * creation: `fail` runs once when gathering completes without a candidate, or when none arrived
 * within `timeoutMs`. `timers` are the leg's, so the watch ends with the leg.
 */
export function watchForNoCandidate(pc: RTCPeerConnection, timers: Set<Timer>, timeoutMs: number, fail: () => void): void {
  let seen = false;
  let failed = false;
  const check = () => {
    if (seen || failed) return;
    failed = true;
    fail();
  };
  pc.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) => {
    if (event.candidate) seen = true;
  });
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') check();
  });
  schedule(timers, timeoutMs, check);
}
