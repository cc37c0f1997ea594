import { describe, expect, it } from 'vitest';
import { connectFront, type NormalizedHandle } from '../../src/front/connectFront';
import { createFrontSession } from '../../src/front/session';
import type { DialerEmitted } from '../../src/machine';
import { FakeHost, contextOf } from '../support/fakeHost';
import { startDialer } from '../support/machineHarness';

const flush = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
};
const normalize = (handle: string): NormalizedHandle => ({ ok: true, e164: `+1${handle.replace(/[^0-9]/g, '').slice(-10)}` });

function setup() {
  const d = startDialer();
  const host = new FakeHost();
  const started: Extract<DialerEmitted, { type: 'CALL_STARTED' }>[] = [];
  d.actor.on('CALL_STARTED', (event) => started.push(event));
  const connection = connectFront({ host, session: createFrontSession(), dialer: d.actor, normalize, report: () => {} });
  return { d, host, started, connection };
}

const jordan = { id: 'cnv_jordan', phoneRecipient: { handle: '(415) 555-0100', name: 'Jordan Lee' } };

describe('names from Front (issue 10)', () => {
  // Proved: dropping `name` from the FRONT.DIAL_REQUEST in src/front/connectFront.ts makes this fail.
  it("a Call-button click on the conversation's recipient calls Jordan Lee by name, to the call log too", async () => {
    const { d, host, started } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation: jordan, callRequest: { handle: '(415) 555-0100', clickId: 't:1' } }));
    await flush();
    expect(d.context().call?.remote).toEqual({ number: '+14155550100', name: 'Jordan Lee' });
    d.line.emit({ type: 'DIALER.DIALING', payload: { callId: d.lastCallId(), from: '+14155550199', to: '+14155550100' } });
    expect(started.map((e) => e.detail)).toEqual([{ callId: d.lastCallId(), callType: 'outbound', participant: '+14155550100', name: 'Jordan Lee' }]);
  });

  it('a click on another number of the same conversation does not borrow the recipient’s name', async () => {
    const { d, host } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation: jordan, callRequest: { handle: '(415) 555-0142', clickId: 't:1' } }));
    await flush();
    expect(d.context().call?.remote).toEqual({ number: '+14155550142' });
  });

  it('the one-click call to the recipient (the sidebar button) carries the name too', async () => {
    const { d, host, connection } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation: jordan }));
    await flush();
    await connection.call('(415) 555-0100');
    expect(d.context().call?.remote).toEqual({ number: '+14155550100', name: 'Jordan Lee' });
  });
});
