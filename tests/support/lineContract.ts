/**
 * The shared contract suite of the line port (`src/telephony/line.ts`): one set of tests that every
 * adapter must pass, the simulated line with fake timers as much as a SIP line driven by real
 * remote parties.
 *
 * The suite never assumes how fast the far end is. It only moves time through the harness
 * (`advance`) and waits for events by looking at what the line delivered after each step, so a
 * harness can back `advance` with fake timers (instant) or with real waiting (a SIP line against
 * Kamailio and remote browser pages).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { END_REASONS, TRANSFER_OUTCOMES, parseLineEvent } from '../../src/telephony/protocol';
import type { CallStatusEvent, LineEvent, SyncEvent } from '../../src/telephony/protocol';
import { LineError, runLineCommand, type Line, type LineCommand, type LineErrorCode } from '../../src/telephony/line';
import type { SimulatedLine } from '../../src/telephony/simulated';

/** What the suite needs from an adapter: the line under test and a driver for the far end. */
export interface LineHarness {
  readonly line: Line;
  /** A number whose far end rings for a while, then answers. */
  readonly answeringNumber: string;
  /** Another number that answers, used as the warm-transfer target. */
  readonly transferTargetNumber: string;
  /**
   * The far end calls the agent. Resolves once the call has been placed; the line announces it
   * with events (the suite learns the callId from the inbound SYNC).
   */
  callAgent(): Promise<void>;
  /** The other party of the connected regular call hangs up. */
  remoteHangsUp(): Promise<void>;
  /**
   * Lets `ms` of time pass and delivers what became due: fake timers for the simulated line,
   * a real wait for a SIP line.
   */
  advance(ms: number): Promise<void>;
  /** Releases the line and the far end. Must tolerate a line the test already disposed. */
  dispose(): Promise<void> | void;
}

/**
 * The harness of a line over the simulated network (the simulated line itself, or a line that
 * forwards to it), with fake timers. `simulated` gives the simulated line once it exists.
 */
export function simulatedHarness(line: Line, simulated: () => SimulatedLine | Promise<SimulatedLine>): LineHarness {
  return {
    line,
    answeringNumber: '+14155550142',
    transferTargetNumber: '+14155550177',
    async callAgent() {
      (await simulated()).ringAgent();
    },
    async remoteHangsUp() {
      (await simulated()).remoteHangsUp();
    },
    async advance(ms) {
      await vi.advanceTimersByTimeAsync(ms);
    },
    dispose() {
      line.dispose();
      vi.useRealTimers();
    },
  };
}

/** Time budgets of the suite, in milliseconds of the harness's time. */
export interface LineContractOptions {
  /** Time advanced between two looks at the delivered events while waiting. Default 50. */
  stepMs?: number;
  /** How long to wait for an expected event before failing. Default 30000. */
  timeoutMs?: number;
  /** How long to watch for stray events (after `ended`, after a rejected command). Default 2000. */
  quietMs?: number;
}

/** The events a listener received, with the ones that failed `parseLineEvent`. */
interface EventLog {
  readonly events: LineEvent[];
  readonly invalid: { event: unknown; problems: string[] }[];
  stop(): void;
}

type CallStatusPayload = CallStatusEvent['payload'];

const ACCEPTED_REASONS: readonly string[] = [...END_REASONS, ...TRANSFER_OUTCOMES];

function isStatus(event: LineEvent): event is CallStatusEvent {
  return event.type === 'DIALER.CALL_STATUS';
}

function isSync(event: LineEvent): event is SyncEvent {
  return event.type === 'DIALER.SYNC';
}

function statusesOf(events: readonly LineEvent[], callId: string): CallStatusPayload[] {
  return events.filter(isStatus).map((event) => event.payload).filter((payload) => payload.callId === callId);
}

function syncsOf(events: readonly LineEvent[], callId: string): SyncEvent['payload'][] {
  return events.filter(isSync).map((event) => event.payload).filter((payload) => payload.callId === callId);
}

function statusNames(events: readonly LineEvent[], callId: string): string[] {
  return statusesOf(events, callId).map((payload) => payload.status);
}

/** Awaits a command expected to fail and returns its LineError. */
async function rejectionOf(command: Promise<unknown>): Promise<LineError> {
  let outcome: unknown;
  try {
    await command;
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) throw new Error('Expected the command to reject, but it resolved.');
  expect(outcome).toBeInstanceOf(LineError);
  return outcome as LineError;
}

/**
 * Registers the line contract tests for one adapter. `makeHarness` runs before each test and gets
 * a fresh line; `dispose` runs after it.
 */
export function describeLineContract(
  name: string,
  makeHarness: () => LineHarness | Promise<LineHarness>,
  options: LineContractOptions = {},
): void {
  const { stepMs = 50, timeoutMs = 30000, quietMs = 2000 } = options;

  describe(`${name} honours the line contract`, () => {
    let harness: LineHarness;
    let line: Line;
    let logs: EventLog[] = [];
    let callCount = 0;

    beforeEach(async () => {
      harness = await makeHarness();
      line = harness.line;
      logs = [];
    });

    afterEach(async () => {
      for (const log of logs) log.stop();
      await harness.dispose();
      // Every event any listener saw in the test must match the protocol.
      for (const log of logs) expect(log.invalid).toEqual([]);
    });

    function listen(): EventLog {
      const events: LineEvent[] = [];
      const invalid: EventLog['invalid'] = [];
      const stop = line.subscribe((event) => {
        events.push(event);
        const parsed = parseLineEvent(event);
        if (!parsed.ok) invalid.push({ event, problems: parsed.problems });
      });
      const log = { events, invalid, stop };
      logs.push(log);
      return log;
    }

    function newCallId(): string {
      callCount += 1;
      return `contract-call-${Date.now().toString(36)}-${callCount}`;
    }

    async function waitFor(log: EventLog, what: string, done: (events: readonly LineEvent[]) => boolean): Promise<void> {
      let waited = 0;
      while (!done(log.events)) {
        if (waited >= timeoutMs) {
          throw new Error(`Timed out waiting for ${what}. Events so far:\n${log.events.map((e) => JSON.stringify(e)).join('\n')}`);
        }
        await harness.advance(stepMs);
        waited += stepMs;
      }
    }

    function waitForStatus(log: EventLog, callId: string, status: string, flow = 'regular'): Promise<void> {
      return waitFor(log, `${status} (${flow}) on ${callId}`, (events) =>
        statusesOf(events, callId).some((payload) => payload.status === status && payload.flow === flow),
      );
    }

    async function placeConnectedCall(log: EventLog): Promise<string> {
      const callId = newCallId();
      await line.dial(callId, harness.answeringNumber);
      await waitForStatus(log, callId, 'connected');
      return callId;
    }

    /** Waits for the incoming call's inbound SYNC and returns its callId. */
    async function receiveCall(log: EventLog): Promise<string> {
      await harness.callAgent();
      await waitFor(log, 'an inbound SYNC', (events) => events.filter(isSync).some((e) => e.payload.direction === 'inbound'));
      const announced = log.events.filter(isSync).find((e) => e.payload.direction === 'inbound');
      return (announced as SyncEvent).payload.callId;
    }

    /** Asserts exactly one `ended` with a reason, and no status for the call after it. */
    async function expectEndedOnceAndQuiet(log: EventLog, callId: string): Promise<CallStatusPayload> {
      await waitForStatus(log, callId, 'ended');
      await harness.advance(quietMs);
      const statuses = statusesOf(log.events, callId);
      const ended = statuses.filter((payload) => payload.status === 'ended');
      expect(ended).toHaveLength(1);
      expect(statuses.at(-1)?.status).toBe('ended');
      expect(END_REASONS as readonly string[]).toContain(ended[0]?.reason);
      return ended[0] as CallStatusPayload;
    }

    it('delivers events asynchronously, never from inside the command call', async () => {
      const log = listen();
      const dialing = line.dial(newCallId(), harness.answeringNumber);
      expect(log.events).toEqual([]);
      await dialing;
      await waitFor(log, 'DIALER.DIALING', (events) => events.some((e) => e.type === 'DIALER.DIALING'));
    });

    it('resolves dial when the call is placed, without waiting for it to be answered', async () => {
      const log = listen();
      const callId = newCallId();
      await line.dial(callId, harness.answeringNumber);
      expect(statusNames(log.events, callId)).not.toContain('connected');
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
    });

    it('announces a dialled call with DIALER.DIALING first, then connecting', async () => {
      const log = listen();
      const callId = newCallId();
      await line.dial(callId, harness.answeringNumber);
      await waitForStatus(log, callId, 'connecting');
      expect(log.events[0]).toEqual({
        type: 'DIALER.DIALING',
        payload: expect.objectContaining({ to: harness.answeringNumber, callId }),
      });
      expect(statusesOf(log.events, callId)[0]).toMatchObject({ status: 'connecting', flow: 'regular' });
    });

    it('rings, connects, and ends exactly once when the agent hangs up an answered call', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      expect(statusNames(log.events, callId)).toEqual(['connecting', 'ringing', 'connected']);
      await line.hangUp(callId);
      const ended = await expectEndedOnceAndQuiet(log, callId);
      expect(ended.reason).toBe('localHangup');
    });

    it('puts the callId of the call on every status and sync it emits', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
      const callEvents = log.events.filter((e) => isStatus(e) || isSync(e));
      expect(callEvents.length).toBeGreaterThan(3);
      for (const event of callEvents) expect(event.payload.callId).toBe(callId);
    });

    it('sends a final SYNC with the duration after the call ended', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      await harness.advance(1000);
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
      const endedAt = log.events.findIndex((e) => isStatus(e) && e.payload.callId === callId && e.payload.status === 'ended');
      const after = log.events.slice(endedAt + 1).filter(isSync);
      expect(after.some((e) => e.payload.callId === callId && typeof e.payload.duration === 'number')).toBe(true);
    });

    it('reports hold and mute as applied, with DIALER.SYNC', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      const onHold = () => syncsOf(log.events, callId).filter((p) => p.onHold !== undefined).map((p) => p.onHold);
      const muted = () => syncsOf(log.events, callId).filter((p) => p.muted !== undefined).map((p) => p.muted);
      const heldBefore = onHold().length;
      const mutedBefore = muted().length;

      if (line.capabilities.hold) {
        await line.hold(callId);
        await waitFor(log, 'onHold: true', () => onHold().slice(heldBefore).includes(true));
        await line.resume(callId);
        await waitFor(log, 'onHold: false', () => onHold().slice(heldBefore).at(-1) === false);
      } else {
        expect((await rejectionOf(line.hold(callId))).code).toBe('unsupported');
      }
      if (line.capabilities.mute) {
        await line.mute(callId);
        await waitFor(log, 'muted: true', () => muted().slice(mutedBefore).includes(true));
        await line.unmute(callId);
        await waitFor(log, 'muted: false', () => muted().slice(mutedBefore).at(-1) === false);
      } else {
        expect((await rejectionOf(line.mute(callId))).code).toBe('unsupported');
      }
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
    });

    it('announces an incoming call with an inbound SYNC naming the caller, then ringing', async () => {
      const log = listen();
      const callId = await receiveCall(log);
      await waitForStatus(log, callId, 'ringing');
      const announcedAt = log.events.findIndex((e) => isSync(e) && e.payload.callId === callId && e.payload.direction === 'inbound');
      const ringingAt = log.events.findIndex((e) => isStatus(e) && e.payload.callId === callId && e.payload.status === 'ringing');
      expect(announcedAt).toBeGreaterThanOrEqual(0);
      expect(announcedAt).toBeLessThan(ringingAt);
      expect((log.events[announcedAt] as SyncEvent).payload.from).toEqual(expect.any(String));
      expect(statusesOf(log.events, callId)[0]).toMatchObject({ status: 'ringing', flow: 'regular' });
      await line.decline(callId);
      await expectEndedOnceAndQuiet(log, callId);
    });

    it('answers an incoming call through accepting, then connected', async () => {
      const log = listen();
      const callId = await receiveCall(log);
      await waitForStatus(log, callId, 'ringing');
      await line.answer(callId);
      await waitForStatus(log, callId, 'connected');
      expect(statusNames(log.events, callId)).toEqual(['ringing', 'accepting', 'connected']);
      await line.hangUp(callId);
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('localHangup');
    });

    it('ends a declined incoming call exactly once, with reason declined', async () => {
      const log = listen();
      const callId = await receiveCall(log);
      await waitForStatus(log, callId, 'ringing');
      await line.decline(callId);
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('declined');
    });

    it('ends the call exactly once, with reason remoteHangup, when the other party hangs up', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      await harness.remoteHangsUp();
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('remoteHangup');
    });

    it('rejects every command naming an unknown call with no_such_call, and emits nothing', async () => {
      const log = listen();
      const unknown = 'no-such-call';
      const commands: LineCommand[] = [
        { type: 'answer', callId: unknown },
        { type: 'decline', callId: unknown },
        { type: 'hangUp', callId: unknown },
        { type: 'hold', callId: unknown },
        { type: 'resume', callId: unknown },
        { type: 'mute', callId: unknown },
        { type: 'unmute', callId: unknown },
        { type: 'sendDigits', callId: unknown, digits: '1' },
        { type: 'startWarmTransfer', callId: unknown, target: { number: harness.transferTargetNumber } },
        { type: 'blindTransfer', callId: unknown, target: { number: harness.transferTargetNumber } },
        { type: 'conference', callId: unknown },
        { type: 'swap', callId: unknown },
        { type: 'merge', callId: unknown },
        { type: 'cancelTransfer', callId: unknown },
        { type: 'pauseRecording', callId: unknown },
        { type: 'resumeRecording', callId: unknown },
      ];
      const capabilityOf: Partial<Record<LineCommand['type'], keyof Line['capabilities']>> = {
        hold: 'hold',
        resume: 'hold',
        mute: 'mute',
        unmute: 'mute',
        sendDigits: 'dtmf',
        startWarmTransfer: 'warmTransfer',
        blindTransfer: 'blindTransfer',
        conference: 'threeWayCall',
        swap: 'warmTransfer',
        merge: 'warmTransfer',
        cancelTransfer: 'warmTransfer',
        pauseRecording: 'recording',
        resumeRecording: 'recording',
      };
      for (const command of commands) {
        const capability = capabilityOf[command.type];
        const expected: LineErrorCode = capability && line.capabilities[capability] !== true ? 'unsupported' : 'no_such_call';
        const error = await rejectionOf(runLineCommand(line, command));
        expect({ command: command.type, code: error.code }).toEqual({ command: command.type, code: expected });
      }
      await harness.advance(quietMs);
      expect(log.events).toEqual([]);
    });

    it('rejects dialling an invalid number with invalid_argument, and emits nothing', async () => {
      const log = listen();
      expect((await rejectionOf(line.dial(newCallId(), 'not a number'))).code).toBe('invalid_argument');
      await harness.advance(quietMs);
      expect(log.events).toEqual([]);
    });

    it('refuses commands on a call that has ended, and emits nothing more for it', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
      const seen = log.events.length;
      for (const command of [line.hangUp(callId), line.answer(callId), line.mute(callId)]) {
        expect(['invalid_state', 'no_such_call']).toContain((await rejectionOf(command)).code);
      }
      await harness.advance(quietMs);
      expect(log.events.slice(seen)).toEqual([]);
    });

    it('refuses a command the call state does not allow, and the call carries on unchanged', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      const statusesBefore = statusNames(log.events, callId).length;
      expect((await rejectionOf(line.answer(callId))).code).toBe('invalid_state');
      expect((await rejectionOf(line.decline(callId))).code).toBe('invalid_state');
      const second = newCallId();
      expect((await rejectionOf(line.dial(second, harness.answeringNumber))).code).toBe('invalid_state');
      await harness.advance(quietMs);
      expect(statusNames(log.events, callId)).toHaveLength(statusesBefore);
      expect(log.events.some((e) => e.type === 'DIALER.DIALING' && e.payload.callId === second)).toBe(false);
      expect(statusesOf(log.events, second)).toEqual([]);
      await line.hangUp(callId);
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('localHangup');
    });

    it('stops delivering to a listener once it unsubscribed, and keeps delivering to the others', async () => {
      const kept = listen();
      const dropped: LineEvent[] = [];
      const stop = line.subscribe((event) => {
        dropped.push(event);
        stop();
      });
      const callId = await placeConnectedCall(kept);
      expect(dropped).toHaveLength(1);
      expect(kept.events.length).toBeGreaterThan(1);
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(kept, callId);
      expect(dropped).toHaveLength(1);
    });

    it('reports the active and held parties during a warm transfer, under the original callId', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      const target = { number: harness.transferTargetNumber };
      if (!line.capabilities.warmTransfer) {
        expect((await rejectionOf(line.startWarmTransfer(callId, target))).code).toBe('unsupported');
        await line.hangUp(callId);
        await expectEndedOnceAndQuiet(log, callId);
        return;
      }
      await line.startWarmTransfer(callId, target);
      await waitForStatus(log, callId, 'connected', 'warmTransfer');
      expect(statusesOf(log.events, callId).map((p) => `${p.status}/${p.flow}`)).toEqual([
        'connecting/regular',
        'ringing/regular',
        'connected/regular',
        'startingWarmTransfer/regular',
        'ringing/warmTransfer',
        'connected/warmTransfer',
      ]);
      const participants = syncsOf(log.events, callId).filter((p) => p.activeParticipant !== undefined);
      expect(participants.at(-1)).toMatchObject({
        activeParticipant: { number: harness.transferTargetNumber },
        inactiveParticipant: { number: harness.answeringNumber },
      });

      await line.cancelTransfer(callId);
      await waitFor(log, 'the return to the regular flow', (events) => statusesOf(events, callId).at(-1)?.flow === 'regular');
      const back = statusesOf(log.events, callId).at(-1);
      expect(back).toMatchObject({ status: 'connected', flow: 'regular' });
      expect(ACCEPTED_REASONS).toContain(back?.reason);
      await line.hangUp(callId);
      await expectEndedOnceAndQuiet(log, callId);
      for (const event of log.events) {
        if (isStatus(event) || isSync(event)) expect(event.payload.callId).toBe(callId);
      }
    });

    it('call waiting: announces a second caller, answers it with the first held, and swaps back', async () => {
      const log = listen();
      const first = await placeConnectedCall(log);
      if (!line.capabilities.callWaiting) {
        await line.hangUp(first);
        await expectEndedOnceAndQuiet(log, first);
        return;
      }
      const second = await receiveCall(log);
      expect(second).not.toBe(first);
      await waitForStatus(log, second, 'ringing');
      const from = log.events.length;
      await line.answer(second);
      await waitForStatus(log, second, 'connected');
      const answered = log.events.slice(from);
      const firstHeld = answered.findIndex((e) => isSync(e) && e.payload.callId === first && e.payload.onHold === true);
      const accepting = answered.findIndex((e) => isStatus(e) && e.payload.callId === second && e.payload.status === 'accepting');
      expect(firstHeld).toBeGreaterThanOrEqual(0);
      expect(firstHeld).toBeLessThan(accepting);
      // The first call never left `connected`.
      expect(statusNames(log.events, first)).toEqual(['connecting', 'ringing', 'connected']);

      const swapFrom = log.events.length;
      await line.resume(first);
      await waitFor(log, 'the first call resumed', (events) =>
        events.slice(swapFrom).some((e) => isSync(e) && e.payload.callId === first && e.payload.onHold === false),
      );
      const swapped = log.events.slice(swapFrom);
      const secondHeld = swapped.findIndex((e) => isSync(e) && e.payload.callId === second && e.payload.onHold === true);
      const firstResumed = swapped.findIndex((e) => isSync(e) && e.payload.callId === first && e.payload.onHold === false);
      expect(secondHeld).toBeGreaterThanOrEqual(0);
      expect(secondHeld).toBeLessThan(firstResumed);

      await line.hangUp(first);
      expect((await expectEndedOnceAndQuiet(log, first)).reason).toBe('localHangup');
      expect(statusNames(log.events, second).at(-1)).toBe('connected');
      await line.hangUp(second);
      expect((await expectEndedOnceAndQuiet(log, second)).reason).toBe('localHangup');
    });

    it('a blind transfer reports blindTransferring, then ends the agent\'s leg as transferred', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      const target = { number: harness.transferTargetNumber };
      if (!line.capabilities.blindTransfer) {
        expect((await rejectionOf(line.blindTransfer(callId, target))).code).toBe('unsupported');
        await line.hangUp(callId);
        await expectEndedOnceAndQuiet(log, callId);
        return;
      }
      await line.blindTransfer(callId, target);
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('transferred');
      expect(statusNames(log.events, callId)).toEqual(['connecting', 'ringing', 'connected', 'blindTransferring', 'ended']);
      expect(syncsOf(log.events, callId).some((p) => p.onHold === true)).toBe(true);
    });

    it('a conference joins the consulting transfer (flow conference, both parties), and leaving it hands them over', async () => {
      const log = listen();
      const callId = await placeConnectedCall(log);
      if (!line.capabilities.warmTransfer || !line.capabilities.threeWayCall) {
        expect(['unsupported', 'invalid_state']).toContain((await rejectionOf(line.conference(callId))).code);
        await line.hangUp(callId);
        await expectEndedOnceAndQuiet(log, callId);
        return;
      }
      await line.startWarmTransfer(callId, { number: harness.transferTargetNumber });
      await waitForStatus(log, callId, 'connected', 'warmTransfer');
      await line.conference(callId);
      await waitForStatus(log, callId, 'connected', 'conference');
      // The SYNC naming both parties follows the status; a line in another process (the SIP line in
      // Chromium) may deliver it a moment later.
      const partiesNow = () => syncsOf(log.events, callId).filter((p) => p.participants !== undefined).at(-1)?.participants?.map((p) => p.number);
      await waitFor(log, 'the conference to name both parties', () => partiesNow()?.length === 2);
      const parties = partiesNow();
      expect(parties).toEqual([harness.answeringNumber, harness.transferTargetNumber]);
      expect((await rejectionOf(line.swap(callId))).code).toBe('invalid_state');
      await line.merge(callId);
      expect((await expectEndedOnceAndQuiet(log, callId)).reason).toBe('transferred');
      expect(statusesOf(log.events, callId).slice(-2).map((p) => `${p.status}/${p.flow}`)).toEqual(['merging/conference', 'ended/regular']);
    });

    it('delivers nothing and refuses commands once disposed', async () => {
      const log = listen();
      const callId = newCallId();
      await line.dial(callId, harness.answeringNumber);
      line.dispose();
      const seen = log.events.length;
      await harness.advance(quietMs);
      expect(log.events.length).toBe(seen);
      await rejectionOf(line.hangUp(callId));
      await rejectionOf(line.dial(newCallId(), harness.answeringNumber));
    });
  });
}
