import { describe, expect, it } from 'vitest';
import { connectFront, type FrontDiagnostic, type NormalizedHandle } from '../../src/front/connectFront';
import { createFrontSession } from '../../src/front/session';
import { ev } from '../support/fakeLine';
import { FakeHost, contextOf, teammate } from '../support/fakeHost';
import { startDialer } from '../support/machineHarness';

const flush = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0));
};

/** A stand-in for src/phone: US numbers, "ext." extensions, anything with letters refused. */
async function normalize(handle: string): Promise<NormalizedHandle> {
  const [main = '', extension] = handle.split(/\s*ext\.?\s*/i);
  if (/[a-z]/i.test(main.replace(/^tel:/i, ''))) return { ok: false, error: `“${handle}” is not a phone number.` };
  const digits = main.replace(/[^0-9]/g, '');
  return { ok: true, e164: main.trim().startsWith('+') || main.startsWith('tel:+') ? `+${digits}` : `+1${digits}`, ...(extension ? { extension } : {}) };
}

function setup(settings = {}) {
  const d = startDialer({ settings });
  const host = new FakeHost();
  const session = createFrontSession();
  const diagnostics: FrontDiagnostic[] = [];
  const connection = connectFront({ host, session, dialer: d.actor, normalize, report: (x) => diagnostics.push(x) });
  return { d, host, session, diagnostics, connection };
}

const click = (handle: string, timestamp: number, extra = {}) =>
  contextOf({ id: `ctx-${timestamp}`, callRequest: { handle, clickId: `t:${timestamp}` }, ...extra });

describe('the Call button', () => {
  it('dials the clicked number, normalised', async () => {
    const { d, host } = setup();
    host.deliver(click('(415) 555-0100', 1));
    await flush();
    expect(d.line.commandsOf('dial').map((c) => c.to)).toEqual(['+14155550100']);
  });

  it('the same click delivered twice dials once; a new click dials again', async () => {
    const { d, host } = setup();
    const context = click('(415) 555-0100', 1);
    host.deliver(context);
    host.deliver(context);
    await flush();
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    expect(d.context().nextCall).toBeNull();
    d.line.emit(ev.status(d.lastCallId(), 'ended', 'regular', 'busy'));
    host.deliver(context); // Front re-sends the context later (e.g. the sidebar re-opens)
    await flush();
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    host.deliver(click('(415) 555-0100', 2));
    await flush();
    expect(d.line.commandsOf('dial')).toHaveLength(2);
  });

  it('refuses what is not a phone number with a message and dials nothing', async () => {
    const { d, host } = setup();
    host.deliver(click('call me maybe', 1));
    await flush();
    expect(d.line.commands).toEqual([]);
    expect(d.context().inputError).toBe('“call me maybe” is not a phone number.');
  });

  it('keeps the extension for after connect', async () => {
    const { d, host } = setup();
    host.deliver(click('+1 415-555-0100 ext. 42', 1));
    await flush();
    expect(d.context().pendingExtension).toBe('42');
  });

  it('a click during a call keeps the number to call next', async () => {
    const { d, host } = setup();
    d.connectOutbound('+14155550199');
    host.deliver(click('(415) 555-0100', 1));
    await flush();
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    expect(d.context().nextCall).toEqual({ number: '+14155550100' });
  });

  it('a one-click call to the open conversation’s recipient dials it', async () => {
    const { d, host, connection } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation: { id: 'cnv_1', phoneRecipient: { handle: '+44 20 7946 0958' } } }));
    await connection.call('+44 20 7946 0958');
    expect(d.line.commandsOf('dial').map((c) => c.to)).toEqual(['+442079460958']);
  });
});

describe('Call-button timing', () => {
  it('dials in the same task as the click when the number can be read at once', () => {
    const d = startDialer();
    const host = new FakeHost();
    connectFront({ host, session: createFrontSession(), dialer: d.actor, normalize: (h) => ({ ok: true, e164: h }), report: () => {} });
    host.deliver(click('+14155550100', 1));
    expect(d.line.commandsOf('dial').map((c) => c.to)).toEqual(['+14155550100']);
  });

  it('a click that waits for the phone data is not overtaken by a later one', async () => {
    const d = startDialer();
    const host = new FakeHost();
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => (release = r));
    let first = true;
    const normalizeOnce = (h: string) => {
      if (!first) return { ok: true as const, e164: h };
      first = false;
      return slow.then(() => ({ ok: true as const, e164: h }));
    };
    connectFront({ host, session: createFrontSession(), dialer: d.actor, normalize: normalizeOnce, report: () => {} });
    host.deliver(click('+14155550100', 1));
    host.deliver(click('+14155550111', 2));
    expect(d.line.commands).toEqual([]);
    release();
    await flush();
    expect(d.line.commandsOf('dial').map((c) => c.to)).toEqual(['+14155550100']);
    expect(d.context().nextCall).toEqual({ number: '+14155550111' });
  });
});

describe('the Front session', () => {
  it('keeps the teammate and the open conversation, and loads every tag once connected', async () => {
    const { host, session } = setup();
    expect(session.getState().host).toBe('waiting');
    host.deliver(contextOf({ type: 'singleConversation', conversation: { id: 'cnv_1', phoneRecipient: null } }));
    await flush();
    expect(session.getState()).toMatchObject({ host: 'connected', teammate, conversation: { id: 'cnv_1' }, tags: host.tags });
    host.deliver(contextOf({ type: 'background_mode', teammate: null }));
    expect(session.getState()).toMatchObject({ contextType: 'background_mode', teammate, conversation: null });
  });

  it('outside Front it says so', () => {
    const { host, session } = setup();
    host.deliver({ kind: 'unavailable', reason: 'Front did not answer.' });
    expect(session.getState()).toMatchObject({ host: 'unavailable', unavailableReason: 'Front did not answer.' });
  });

  it('a tag list Front refuses is reported', async () => {
    const { host, diagnostics } = setup();
    host.failNext('listTags');
    host.deliver(contextOf());
    await flush();
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'tags_failed' })]);
  });
});

describe('incoming-call notifications', () => {
  const ring = (d: ReturnType<typeof setup>['d'], callId = 'in-1') => {
    d.line.emit(ev.incoming(callId, '+14155550123', 'Maria Garcia'));
    d.line.emit(ev.status(callId, 'ringing'));
  };

  it('with the sidebar closed, an incoming call raises one notification, dismissed on answer', async () => {
    const { d, host } = setup();
    host.deliver(contextOf({ type: 'background_mode' }));
    ring(d);
    d.line.emit(ev.status('in-1', 'ringing'));
    await flush();
    expect(host.callsOf('displayNotification')).toEqual([[{ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia', handle: '+14155550123' } }]]);
    d.send({ type: 'AGENT.ANSWER' });
    d.line.emit(ev.status('in-1', 'accepting'));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1']]);
    d.line.emit(ev.status('in-1', 'connected'));
    await flush();
    expect(host.callsOf('dismissNotification')).toHaveLength(1);
  });

  it.each(['declined', 'answeredElsewhere'])('a call that stops ringing (%s) is dismissed with no missed-call message', async (reason) => {
    const { d, host } = setup();
    host.deliver(contextOf());
    ring(d);
    await flush();
    d.line.emit(ev.status('in-1', 'ended', 'regular', reason));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1']]);
    expect(host.callsOf('displayNotification')).toHaveLength(1);
  });

  it('a caller who gives up is dismissed and followed by a missed-call message naming them', async () => {
    const { d, host } = setup();
    host.deliver(contextOf({ type: 'background_mode' }));
    ring(d);
    await flush();
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'missed'));
    await flush();
    expect(host.calls.map((c) => c.name)).toEqual(['listTags', 'displayNotification', 'dismissNotification', 'displayNotification']);
    expect(host.callsOf('displayNotification')[1]).toEqual([
      { type: 'ERROR_MESSAGE', title: 'Missed call', message: 'Missed call from Maria Garcia (+14155550123)' },
    ]);
  });

  it('a notification Front refuses is reported and the call keeps ringing', async () => {
    const { d, host, diagnostics } = setup();
    host.deliver(contextOf());
    host.failNext('displayNotification');
    ring(d);
    await flush();
    expect(d.status().status).toBe('ringing');
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'notification_failed', callId: 'in-1' })]);
    d.send({ type: 'AGENT.ANSWER' });
    d.line.emit(ev.status('in-1', 'accepting'));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([]);
  });

  /** Maria's call answered and connected (her notification dismissed), the sidebar as given. */
  async function talkingToMaria(settings = {}, type: 'background_mode' | 'noConversation' = 'background_mode') {
    const parts = setup(settings);
    parts.host.deliver(contextOf({ type }));
    ring(parts.d);
    await flush();
    parts.d.send({ type: 'AGENT.ANSWER' });
    parts.d.line.emit(ev.status('in-1', 'accepting'));
    parts.d.line.emit(ev.status('in-1', 'connected'));
    await flush();
    return parts;
  }
  const kenjiCalls = (d: ReturnType<typeof setup>['d']) => {
    d.line.emit(ev.incoming('in-2', '+81312345678', 'Kenji Tanaka'));
    d.line.emit(ev.status('in-2', 'ringing'));
  };
  const KENJI_RINGS = { type: 'INCOMING_CALL', contact: { name: 'Kenji Tanaka', handle: '+81312345678' } };

  // Proved: going back to one remembered ringing notification (the second replacing the first) makes this fail.
  it('a ringing call and a waiting call ring together: each notification is dismissed when its call stops ringing', async () => {
    const { d, host } = setup();
    host.deliver(contextOf({ type: 'background_mode' }));
    ring(d);
    await flush();
    kenjiCalls(d);
    await flush();
    expect(d.actor.getSnapshot().hasTag('callWaiting')).toBe(true);
    expect(host.callsOf('displayNotification')).toEqual([[{ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia', handle: '+14155550123' } }], [KENJI_RINGS]]);
    d.send({ type: 'AGENT.ANSWER' });
    d.line.emit(ev.status('in-1', 'accepting'));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1']]);
    d.send({ type: 'AGENT.DECLINE_WAITING' });
    d.line.emit(ev.status('in-2', 'ended', 'regular', 'declined'));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1'], ['notification-2']]);
  });

  it('a waiting call raises a notification with the sidebar closed, dismissed when answered', async () => {
    const { d, host } = await talkingToMaria();
    kenjiCalls(d);
    await flush();
    expect(host.callsOf('displayNotification').at(-1)).toEqual([KENJI_RINGS]);
    d.send({ type: 'AGENT.ANSWER_WAITING' });
    d.line.emit(ev.sync('in-1', { onHold: true }));
    d.line.emit(ev.status('in-2', 'accepting'));
    await flush();
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1'], ['notification-2']]);
  });

  it('with the sidebar open a waiting call raises no Front notification (the plugin announces it); a missed one is still said', async () => {
    const { d, host } = await talkingToMaria({}, 'noConversation');
    kenjiCalls(d);
    await flush();
    expect(host.callsOf('displayNotification')).toHaveLength(1);
    d.line.emit(ev.status('in-2', 'ended', 'regular', 'missed'));
    await flush();
    expect(host.callsOf('displayNotification').at(-1)).toEqual([{ type: 'ERROR_MESSAGE', title: 'Missed call', message: 'Missed call from Kenji Tanaka (+81312345678)' }]);
    expect(host.callsOf('dismissNotification')).toEqual([['notification-1']]);
  });

  it('a call ringing after the last one ended is no waiting call: notified with the sidebar open too', async () => {
    const { d, host } = await talkingToMaria({}, 'noConversation');
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'remoteHangup'));
    await flush();
    kenjiCalls(d);
    await flush();
    expect(host.callsOf('displayNotification').at(-1)).toEqual([KENJI_RINGS]);
  });

  // Proved: raising the notification in the CALL_STARTED listener itself (no deferral) makes this fail.
  it.each(['background_mode', 'noConversation'] as const)('a busy second caller (call waiting off, sidebar %s) shows only the missed-call message', async (type) => {
    const { d, host } = await talkingToMaria({ callWaiting: false }, type);
    const before = host.calls.length;
    kenjiCalls(d);
    await flush();
    expect(host.calls.slice(before)).toEqual([
      { name: 'displayNotification', args: [{ type: 'ERROR_MESSAGE', title: 'Missed call', message: 'Missed call from Kenji Tanaka (+81312345678)' }] },
    ]);
  });

  it('outgoing calls raise no notification', async () => {
    const { d, host } = setup();
    host.deliver(contextOf());
    d.connectOutbound();
    await flush();
    expect(host.callsOf('displayNotification')).toEqual([]);
  });
});

describe('tags on the call’s conversation', () => {
  const conversation = { id: 'cnv_1', phoneRecipient: { handle: '(415) 555-0100', name: 'Grace' } };

  it('tags saved in wrap-up reach `tag` on the open conversation the call was made from', async () => {
    const { d, host } = setup({ mandatoryTagging: true });
    host.deliver(click('(415) 555-0100', 1, { type: 'singleConversation', conversation }));
    await flush();
    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '+14155550100'));
    d.line.emit(ev.status(callId, 'connected'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_support'] });
    await flush();
    expect(host.callsOf('tag')).toEqual([[['tag_support']]]);
  });

  it('tags for a conversation that is not open wait until it is opened again', async () => {
    const { d, host } = setup();
    host.deliver(click('(415) 555-0100', 1, { type: 'singleConversation', conversation }));
    await flush();
    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '+14155550100'));
    d.line.emit(ev.status(callId, 'connected'));
    host.deliver(contextOf({ id: 'ctx-other', type: 'noConversation' }));
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_sales'] });
    await flush();
    expect(host.callsOf('tag')).toEqual([]);
    host.deliver(contextOf({ id: 'ctx-back', type: 'singleConversation', conversation }));
    await flush();
    expect(host.callsOf('tag')).toEqual([[['tag_sales']]]);
  });

  it('an incoming call from the open conversation’s recipient is tagged there too', async () => {
    const { d, host } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation }));
    d.connectInbound('in-1', '+14155550100');
    await flush();
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_sales'] });
    await flush();
    expect(host.callsOf('tag')).toEqual([[['tag_sales']]]);
  });

  it('a failed tag is reported', async () => {
    const { d, host, diagnostics } = setup();
    host.deliver(contextOf({ type: 'singleConversation', conversation }));
    d.connectInbound('in-1', '+14155550100');
    await flush();
    host.failNext('tag');
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_sales'] });
    await flush();
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'tag_failed' })]);
  });
});
