/**
 * Helpers for the SIP lab's call scenarios: waiting for a line's statuses, reading the parties'
 * state, and proving with getStats that audio flows (or stopped) between two pages.
 */
import { expect } from 'vitest';
import type { CallStatusEvent, LineEvent, SyncEvent } from '../../../src/telephony/protocol';
import type { Lab } from './lab';
import type { RemoteLine } from './remoteLine';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export interface PartyCall {
  readonly id: number;
  readonly direction: 'incoming' | 'outgoing';
  readonly remote: string;
  readonly status: 'calling' | 'ringing' | 'connected' | 'ended';
  readonly cause: string | null;
  readonly originator: string | null;
  readonly statusCode: number | null;
  readonly replaces: boolean;
  readonly invitedAt: number | null;
  /** The dialog's Call-ID, once the INVITE is on its way. */
  readonly sipCallId: string | null;
}

export interface PartyState {
  readonly registered: boolean;
  readonly calls: PartyCall[];
  readonly dtmf: string;
}

export interface AudioReading {
  readonly pc: number;
  readonly state: RTCPeerConnectionState;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly energyReceived: number;
  readonly energySent: number;
}

/** Polls until `check` returns a value (not undefined / false), or fails with `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(25);
  }
}

export function statusesOf(line: RemoteLine, callId: string): CallStatusEvent['payload'][] {
  return line.timeline
    .map((t) => t.event)
    .filter((e): e is CallStatusEvent => e.type === 'DIALER.CALL_STATUS' && e.payload.callId === callId)
    .map((e) => e.payload);
}

export function syncsOf(line: RemoteLine, callId: string): SyncEvent['payload'][] {
  return line.timeline
    .map((t) => t.event)
    .filter((e): e is SyncEvent => e.type === 'DIALER.SYNC' && e.payload.callId === callId)
    .map((e) => e.payload);
}

export function statusTrail(line: RemoteLine, callId: string): string[] {
  return statusesOf(line, callId).map((p) => `${p.status}/${p.flow}${p.reason ? `:${p.reason}` : ''}`);
}

export function waitForStatus(line: RemoteLine, callId: string, status: string, flow = 'regular', timeoutMs = 15_000) {
  return until(
    `${status}/${flow} on ${callId}; so far: ${statusTrail(line, callId).join(', ')}`,
    () => statusesOf(line, callId).find((p) => p.status === status && p.flow === flow),
    timeoutMs,
  );
}

/** Waits for the next inbound call the line announces (after `after` events) and returns its callId. */
export async function nextInboundCall(line: RemoteLine, after = 0): Promise<string> {
  const sync = await until('an inbound call', () =>
    line.timeline
      .slice(after)
      .map((t) => t.event)
      .find((e): e is SyncEvent => e.type === 'DIALER.SYNC' && e.payload.direction === 'inbound'),
  );
  return sync.payload.callId;
}

export function partyState(lab: Lab, page: string): Promise<PartyState> {
  return lab.call<PartyState>(page, 'state');
}

export async function lastPartyCall(lab: Lab, page: string): Promise<PartyCall | undefined> {
  return (await partyState(lab, page)).calls.at(-1);
}

export function waitForPartyCall(lab: Lab, page: string, what: string, check: (call: PartyCall) => boolean, timeoutMs = 15_000) {
  return until(`${page}: ${what}`, async () => {
    const call = await lastPartyCall(lab, page);
    return call && check(call) ? call : undefined;
  }, timeoutMs);
}

/** The newest connected peer connection's reading on a page. */
function newestConnected(readings: AudioReading[]): AudioReading | undefined {
  return readings.filter((r) => r.state === 'connected').sort((a, b) => b.pc - a.pc)[0];
}

export interface Flow {
  readonly pc: number;
  readonly bytesReceived: number;
  readonly energyReceived: number;
  readonly bytesSent: number;
}

/** What a page received and sent on one peer connection over `ms` (the newest connected one by default). */
export async function measure(lab: Lab, page: string, ms = 1500, pc?: number): Promise<Flow> {
  const pick = (readings: AudioReading[]) => (pc === undefined ? newestConnected(readings) : readings.find((r) => r.pc === pc));
  const before = pick(await lab.call<AudioReading[]>(page, 'audio'));
  if (!before) throw new Error(`${page} has no connected peer connection${pc === undefined ? '' : ` #${pc}`}.`);
  await sleep(ms);
  const after = pick(await lab.call<AudioReading[]>(page, 'audio'));
  if (!after) throw new Error(`${page}'s peer connection #${before.pc} closed while measuring.`);
  return {
    pc: before.pc,
    bytesReceived: after.bytesReceived - before.bytesReceived,
    energyReceived: after.energyReceived - before.energyReceived,
    bytesSent: after.bytesSent - before.bytesSent,
  };
}

/** Audio flows both ways between two pages: each receives bytes and hears sound from the other. */
export async function expectTalking(lab: Lab, a: string, b: string, pcs: { [page: string]: number } = {}): Promise<void> {
  const [fromB, fromA] = await Promise.all([measure(lab, a, 1500, pcs[a]), measure(lab, b, 1500, pcs[b])]);
  for (const [page, flow] of [[a, fromB], [b, fromA]] as const) {
    expect({ receivedBytes: flow.bytesReceived > 2000, heard: flow.energyReceived > 0.01 }, `${page} should hear the other side: ${JSON.stringify(flow)}`).toEqual({ receivedBytes: true, heard: true });
  }
}

/**
 * `page` hears nothing on its newest connected peer connection (silence or no packets). The fake
 * microphone beeps every 500 ms, so a second without sound means no sound is coming; what was
 * already in the jitter buffer (longer on a loaded machine) may still play out first, hence the
 * few windows allowed.
 */
export async function expectSilence(lab: Lab, page: string, pc?: number): Promise<Flow> {
  const windows: Flow[] = [];
  for (let i = 0; i < 5; i++) {
    const flow = await measure(lab, page, 1000, pc);
    windows.push(flow);
    if (flow.energyReceived < 0.001) return flow;
  }
  throw new Error(`${page} kept hearing sound: ${JSON.stringify(windows)}`);
}

export function eventsAfter(line: RemoteLine, index: number): LineEvent[] {
  return line.timeline.slice(index).map((t) => t.event);
}
