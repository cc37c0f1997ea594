/**
 * The SIP line's ICE job: JsSIP sends an offer or answer only once ICE gathering has finished
 * (about 150 ms, much more with STUN / TURN). The gate sends it on the first usable candidate.
 */
import { schedule, type Timer } from '../session';

/**
 * Returns what to do with each local candidate: without ICE servers the first candidate is enough;
 * with them, the first server-reflexive or relay one, or whatever was gathered `timeoutMs` after
 * the first candidate. `timers` are the leg's, so the wait ends with the leg.
 */
export function createIceGate(iceServers: readonly RTCIceServer[], timeoutMs: number) {
  const waits = new WeakSet<() => void>();
  return function onIceCandidate(timers: Set<Timer>, candidate: RTCIceCandidate, ready: () => void): void {
    if (iceServers.length === 0) {
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
