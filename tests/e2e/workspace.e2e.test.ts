/**
 * The local Front workspace speaks the Plugin SDK protocol, host side: checked with the real
 * @frontapp/plugin-sdk in a stand-in plugin (fixtures/sdk-probe.ts) loaded from another origin,
 * so these tests hold whatever the softphone itself does.
 */
import type { Frame } from 'playwright-core';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorMessageSchema } from '../../src/telephony/simulated/remoteControl';
import type { ProbeApi } from './fixtures/sdk-probe';
import { evaluateWith, startE2E, type E2E, type WorkspaceSession } from './support/harness';

let e2e: E2E;
let ws: WorkspaceSession;
let probeFrame: Frame;

beforeAll(async () => {
  e2e = await startE2E();
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(async () => {
  expect(ws.pageErrors).toEqual([]);
  await ws.close();
});

async function openWithProbe() {
  ws = await e2e.openWorkspace({ plugin: `${e2e.pluginOrigin}/tests/e2e/fixtures/sdk-probe.html` });
  await ws.waitForHandshake();
  probeFrame = await ws.pluginFrame();
  await expect.poll(() => probe((p) => p.contexts().length)).toBeGreaterThan(0);
}

function probe<T, A = undefined>(fn: (p: ProbeApi, arg: A) => T | Promise<T>, arg?: A): Promise<T> {
  return evaluateWith(probeFrame, '__probe', fn, arg);
}

const latestContext = () => probe((p) => p.contexts().at(-1)!);

describe('the workspace as Front, host side of the SDK', () => {
  it('completes the handshake and gives the plugin a noConversation context with the notification functions', async () => {
    await openWithProbe();
    expect(await ws.page.getByTestId('connection').innerText()).toContain('Plugin connected');
    const context = await latestContext();
    expect(context.type).toBe('noConversation');
    expect(context.entryPoint).toEqual({ type: 'SIDE_PANEL' });
    expect(context.functions).toEqual(['dismissNotification', 'displayNotification', 'listChannels', 'listTags', 'listTeammates', 'openUrl']);
    // The iframe is another origin, with the permissions Front grants a softphone.
    const frame = ws.page.locator('iframe[title="Softphone plugin"]');
    expect(await frame.getAttribute('allow')).toBe('microphone; autoplay');
    expect(new URL(probeFrame.url()).origin).not.toBe(new URL(ws.page.url()).origin);
  });

  it('sends a CONTACT_HANDLE context per Call click, and "Resend last context" delivers the very same one', async () => {
    await openWithProbe();
    const before = Date.now();
    await ws.page.getByRole('button', { name: 'Call (415) 555-0100', exact: true }).click();
    await expect.poll(() => latestContext().then((c) => c.entryPoint)).toMatchObject({ type: 'CONTACT_HANDLE', data: { type: 'phone', handle: '(415) 555-0100' } });
    const first = await latestContext();
    const firstStamp = (first.entryPoint as { data: { timestamp: number } }).data.timestamp;
    expect(firstStamp).toBeGreaterThanOrEqual(before);

    await ws.page.getByRole('button', { name: 'Resend last context' }).click();
    await expect.poll(() => probe((p) => p.contexts().length)).toBe(3);
    const resent = await latestContext();
    expect(resent).toEqual(first);

    await ws.page.waitForTimeout(5); // a later click, a later timestamp
    await ws.page.getByRole('button', { name: 'Call (415) 555-0100', exact: true }).click();
    await expect.poll(() => probe((p) => p.contexts().length)).toBe(4);
    const second = await latestContext();
    expect(second.id).not.toBe(first.id);
    expect((second.entryPoint as { data: { timestamp: number } }).data.timestamp).toBeGreaterThan(firstStamp);
  });

  it('opening a conversation sends singleConversation with its recipient, tags and tag functions; closing the sidebar sends background_mode', async () => {
    await openWithProbe();
    await ws.page.getByRole('button', { name: /Question about invoice 2291/ }).click();
    await expect.poll(() => latestContext().then((c) => c.type)).toBe('singleConversation');
    const single = await latestContext();
    expect(single.conversationId).toBe('cnv_invoice');
    expect(single.tagNames).toEqual(['Billing', 'Callback requested']);
    expect(single.functions).toContain('tag');
    const full = await ws.hook((w) => w.currentContext);
    expect(full).toMatchObject({
      type: 'singleConversation',
      teammate: { id: expect.any(String), name: 'Alex Morgan', username: 'alex', email: expect.stringContaining('@') },
      company: { name: 'Acme Support' },
      conversation: { recipient: { handle: '+442079460958', name: 'Amelia Hughes', type: 'phone' }, channels: [{ type: 'custom' }] },
    });

    await ws.page.getByRole('switch', { name: 'Plugin sidebar open' }).uncheck();
    await expect.poll(() => latestContext().then((c) => c.type)).toBe('background_mode');
    const background = await latestContext();
    expect(background.functions).toContain('displayNotification');
    expect(background.functions).not.toContain('tag');
    expect(background.conversationId).toBeNull();
    // Hidden, not unloaded: the same plugin document keeps running.
    expect(await ws.hook((w) => w.handshakes)).toBe(1);
    expect(await ws.page.getByRole('complementary', { name: 'Plugin sidebar' }).isVisible()).toBe(false);
  });

  it('pages through listTags three at a time, and refuses a made-up page token', async () => {
    await openWithProbe();
    const pages = await probe(async (p) => {
      const out: { names: string[]; next: unknown }[] = [];
      let token: unknown = undefined;
      do {
        const page = await p.call('listTags', token === undefined ? [] : [token]);
        if (!page.ok) throw new Error(page.error);
        const value = page.value as { results: { name: string }[]; nextPageToken?: string };
        out.push({ names: value.results.map((t) => t.name), next: value.nextPageToken });
        token = value.nextPageToken;
      } while (token !== undefined);
      return out;
    });
    expect(pages.map((p) => p.names)).toEqual([
      ['Billing', 'Callback requested', 'Complaint'],
      ['Sales lead', 'Support', 'VIP'],
      ['Calls', 'Wrong number'],
    ]);
    const bad = await probe((p) => p.call('listTags', ['page-99']));
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('Invalid pagination token') });
  });

  it('tag applies Front tags to the open conversation and refuses unknown ids; it is no function of noConversation', async () => {
    await openWithProbe();
    const outside = await probe((p) => p.call('tag', [['tag_vip']]));
    expect(outside).toMatchObject({ ok: false, errorName: 'ReferenceError', error: 'tag is not a valid function for context noConversation.' });

    await ws.page.getByRole('button', { name: /Renewal quote for 2026/ }).click();
    await expect.poll(() => latestContext().then((c) => c.conversationId)).toBe('cnv_renewal');
    const unknown = await probe((p) => p.call('tag', [['tag_vip', 'tag_nope']]));
    expect(unknown).toMatchObject({ ok: false, error: 'Unknown tag id: tag_nope.' });
    expect(await ws.hook((w) => w.tagsOf('cnv_renewal'))).toEqual([]);

    expect(await probe((p) => p.call('tag', [['tag_wrongnumber', 'tag_vip']]))).toEqual({ ok: true, value: undefined });
    const shown = ws.page.getByRole('list', { name: 'Tags' });
    await expect.poll(() => shown.getByRole('listitem').allInnerTexts()).toEqual(['VIP', 'Wrong number']);
    // Front tells the plugin about the changed conversation.
    await expect.poll(() => latestContext().then((c) => c.tagNames)).toEqual(['VIP', 'Wrong number']);
    const log = await ws.hook((w) => w.calls.filter((c) => c.name === 'tag').map((c) => ({ args: c.args, status: c.status, contextType: c.contextType })));
    expect(log).toEqual([
      { args: [['tag_vip', 'tag_nope']], status: 'error', contextType: 'singleConversation' },
      { args: [['tag_wrongnumber', 'tag_vip']], status: 'result', contextType: 'singleConversation' },
    ]);
  });

  it('a call made on an earlier context acts on that context’s conversation', async () => {
    await openWithProbe();
    await ws.page.getByRole('button', { name: /Renewal quote for 2026/ }).click();
    await expect.poll(() => latestContext().then((c) => c.conversationId)).toBe('cnv_renewal');
    const renewal = await latestContext();
    await ws.page.getByRole('button', { name: /Order #4411 never arrived/ }).click();
    await expect.poll(() => latestContext().then((c) => c.conversationId)).toBe('cnv_order');
    expect(await probe((p, id) => p.callOn(id, 'tag', [['tag_saleslead']]), renewal.id)).toEqual({ ok: true, value: undefined });
    expect(await ws.hook((w) => w.tagsOf('cnv_renewal'))).toEqual(['Sales lead']);
    expect(await ws.hook((w) => w.tagsOf('cnv_order'))).toEqual(['Complaint']);
  });

  it('displayNotification shows a banner and returns its id; dismissNotification removes it, and a second dismiss is an error', async () => {
    await openWithProbe();
    const shown = await probe((p) => p.call('displayNotification', [{ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia', handle: '+14155550123' } }]));
    expect(shown).toEqual({ ok: true, value: expect.stringMatching(/^ntf_/) });
    const id = (shown as { value: string }).value;
    const banner = ws.page.getByTestId('notification');
    await expect.poll(() => banner.allInnerTexts()).toEqual([expect.stringMatching(/Incoming call[\s\S]*Maria Garcia · \+14155550123/)]);

    expect(await probe((p, n) => p.call('dismissNotification', [n]), id)).toEqual({ ok: true, value: undefined });
    await expect.poll(() => banner.count()).toBe(0);
    expect(await probe((p, n) => p.call('dismissNotification', [n]), id)).toMatchObject({ ok: false, error: expect.stringContaining('Unknown notification id') });

    const message = await probe((p) => p.call('displayNotification', [{ type: 'ERROR_MESSAGE', title: 'Missed call', message: 'Missed call from Maria Garcia' }]));
    expect(message.ok).toBe(true);
    await expect.poll(() => banner.allInnerTexts()).toEqual([expect.stringContaining('Missed call from Maria Garcia')]);
    const invalid = await probe((p) => p.call('displayNotification', [{ type: 'BANNER' }]));
    expect(invalid).toMatchObject({ ok: false, error: expect.stringContaining('Unknown notification type') });
  });

  it('a banner the teammate closed can still be dismissed by the plugin without an error', async () => {
    await openWithProbe();
    const shown = await probe((p) => p.call('displayNotification', [{ type: 'INCOMING_CALL', contact: { name: 'Kenji Tanaka' } }]));
    await ws.page.getByRole('button', { name: /Close notification: Incoming call, Kenji Tanaka/ }).click();
    expect(await probe((p, n) => p.call('dismissNotification', [n]), (shown as { value: string }).value)).toEqual({ ok: true, value: undefined });
  });

  it('"Fail displayNotification" makes Front answer with a function_error, and no banner appears', async () => {
    await openWithProbe();
    await ws.page.getByRole('checkbox', { name: 'Fail displayNotification' }).check();
    const failed = await probe((p) => p.call('displayNotification', [{ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia' } }]));
    expect(failed).toMatchObject({ ok: false, errorName: 'Error', error: expect.stringContaining('could not display the notification') });
    expect(await ws.page.getByTestId('notification').count()).toBe(0);
    const row = ws.page.getByTestId('function-call').last();
    expect(await row.getAttribute('data-name')).toBe('displayNotification');
    expect(await row.getAttribute('data-status')).toBe('error');
  });

  it('a call the plugin cancels gets no answer and does not run', async () => {
    await openWithProbe();
    await ws.page.getByLabel('Host latency (ms)').fill('800');
    const outcome = await probe((p) => p.callAndCancel('displayNotification', [{ type: 'SUCCESS_MESSAGE', title: 'Saved', message: 'Call logged' }], 100));
    expect(outcome).toMatchObject({ ok: false, cancelled: true });
    await ws.page.waitForTimeout(1200);
    expect(await ws.hook((w) => w.calls.map((c) => [c.name, c.status]))).toEqual([['displayNotification', 'cancelled']]);
    expect(await ws.page.getByTestId('notification').count()).toBe(0);
  });

  it('logs every function call with its arguments and outcome, with timestamps for benchmarks', async () => {
    await openWithProbe();
    await probe((p) => p.call('openUrl', ['https://example.com/recording/42']));
    await probe((p) => p.call('listTags', []));
    const rows = ws.page.getByTestId('function-call');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).getByTestId('function-name').innerText()).toBe('openUrl');
    expect(await rows.nth(0).getByTestId('function-args').innerText()).toBe('["https://example.com/recording/42"]');
    expect(await rows.nth(1).getByTestId('function-outcome').innerText()).toContain('"nextPageToken":"tags:3"');
    const calls = await ws.hook((w) => w.calls);
    expect(calls.every((c) => typeof c.at === 'number' && typeof c.settledAt === 'number' && c.settledAt >= c.at)).toBe(true);
  });

  it('adopts the new port when the plugin reloads, and sends it the current context again', async () => {
    await openWithProbe();
    await ws.page.getByRole('button', { name: /Order #4411 never arrived/ }).click();
    await expect.poll(() => latestContext().then((c) => c.conversationId)).toBe('cnv_order');
    const before = await ws.hook((w) => w.currentContext?.id);
    await probeFrame.evaluate(() => location.reload());
    await ws.waitForHandshake(2);
    probeFrame = await ws.pluginFrame();
    await expect.poll(() => probe((p) => p.contexts().map((c) => c.id)).catch(() => [])).toEqual([before]);
    // And the new port works both ways.
    expect(await probe((p) => p.call('listTags', []).then((r) => r.ok))).toBe(true);
    expect(await ws.page.getByTestId('connection').innerText()).toContain('handshake 2');
  });

  it('"Ring the agent" and the other caller buttons post the simulator contract to the plugin window, at the plugin origin', async () => {
    await openWithProbe();
    await ws.page.getByLabel('Caller').selectOption({ label: 'Maria Garcia (+14155550123)' });
    await ws.page.getByRole('button', { name: 'Ring the agent' }).click();
    await ws.page.getByRole('button', { name: 'Caller gives up' }).click();
    await ws.page.getByRole('button', { name: 'Answered elsewhere' }).click();
    await expect.poll(() => probe((p) => p.parentMessages().length)).toBe(3);
    const messages = await probe((p) => p.parentMessages());
    for (const message of messages) {
      expect(message.origin).toBe(e2e.workspaceOrigin);
      expect(v.safeParse(SimulatorMessageSchema, message.data).success).toBe(true);
    }
    expect(messages.map((m) => m.data)).toEqual([
      { source: 'front-softphone-simulator', command: 'ringAgent', from: '+14155550123', name: 'Maria Garcia' },
      { source: 'front-softphone-simulator', command: 'callerGivesUp' },
      { source: 'front-softphone-simulator', command: 'answerElsewhere' },
    ]);
  });

  it('ignores a handshake from a window that is not the plugin iframe', async () => {
    await openWithProbe();
    await ws.page.evaluate(() => {
      const channel = new MessageChannel();
      window.postMessage('@frontapp/ui-sdk#WebViewBridge.handshake', '*', [channel.port2]);
    });
    await expect.poll(() => ws.hook((w) => w.activity.map((a) => a.text))).toContainEqual(expect.stringContaining('not the plugin iframe'));
    expect(await ws.hook((w) => w.handshakes)).toBe(1);
  });
});
