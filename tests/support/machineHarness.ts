import { CALL_LIFECYCLE_EVENTS, createDialerActor, dialerMachine, selectStatus, type DialerEmitted, type DialerEvent, type DialerSettings } from '../../src/machine';
import { lineBridge } from '../../src/telephony/bridge';
import type { LineCapabilities } from '../../src/telephony/line';
import { ALL_CAPABILITIES, FakeLine, ev } from './fakeLine';

const LIFECYCLE: ReadonlySet<string> = new Set(CALL_LIFECYCLE_EVENTS);

/**
 * A call machine wired to a FakeLine, with the emitted events collected, for machine tests that
 * read like the seed's sequences. No React, no DOM.
 */
export function startDialer(options: { settings?: Partial<DialerSettings>; capabilities?: LineCapabilities } = {}) {
  const line = new FakeLine(options.capabilities ?? ALL_CAPABILITIES);
  const actor = createDialerActor(dialerMachine.provide({ actors: { line: lineBridge(line) } }), {
    input: { capabilities: line.capabilities, settings: options.settings ?? {} },
  });
  const emitted: DialerEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  const api = {
    line,
    actor,
    emitted,
    send: (event: DialerEvent) => actor.send(event),
    status: () => selectStatus(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    /** The telephony events' types (not the lifecycle events the adapters listen to, nor diagnostics). */
    telephony: () => emitted.filter((e) => e.type !== 'DIAGNOSTIC' && !LIFECYCLE.has(e.type)).map((e) => e.type),
    diagnostics: () => emitted.flatMap((e) => (e.type === 'DIAGNOSTIC' ? [e.detail] : [])),
    /** The call id the machine gave the last dial command. */
    lastCallId: () => line.commands.at(-1)?.callId ?? '',
    /** Dials and plays the seed's outgoing sequence up to connected. */
    connectOutbound(number = '+14155550199') {
      actor.send({ type: 'AGENT.DIAL', number });
      const callId = line.commandsOf('dial').at(-1)!.callId;
      line.emit(ev.dialing(callId, number));
      line.emit(ev.status(callId, 'connecting'));
      line.emit(ev.status(callId, 'ringing'));
      line.emit(ev.status(callId, 'connected'));
      line.emit(ev.sync(callId, { activeParticipant: { number }, inactiveParticipant: null, onHold: false, muted: false }));
      return callId;
    },
    /** Rings the agent from a caller and answers up to connected. */
    connectInbound(callId = 'in-1', from = '+14155550123', name = 'Maria Garcia') {
      line.emit(ev.incoming(callId, from, name));
      line.emit(ev.status(callId, 'ringing'));
      actor.send({ type: 'AGENT.ANSWER' });
      line.emit(ev.status(callId, 'accepting'));
      line.emit(ev.status(callId, 'connected'));
      return callId;
    },
    /** From a connected call, starts a warm transfer that the target answers. */
    consult(callId: string, target = '+14155550777', original = '+14155550199') {
      actor.send({ type: 'AGENT.START_TRANSFER', target });
      line.emit(ev.status(callId, 'startingWarmTransfer', 'regular'));
      line.emit(ev.sync(callId, { onHold: true }));
      line.emit(ev.status(callId, 'ringing', 'warmTransfer'));
      line.emit(ev.sync(callId, { activeParticipant: { number: target }, inactiveParticipant: { number: original } }));
      line.emit(ev.status(callId, 'connected', 'warmTransfer'));
    },
  };
  return api;
}

export type DialerHarness = ReturnType<typeof startDialer>;
