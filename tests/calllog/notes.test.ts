import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallNotesStore } from '../../src/calllog/notes';
import { ev } from '../support/fakeLine';
import { flush, startReporting } from './support';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('call notes reach the summary (issue 10)', () => {
  // Proved: dropping `options.notes?.(detail.callId)` in src/calllog/index.ts makes this fail.
  it('the notes typed for the call (any tab, local storage) are sent with its summary', async () => {
    const notes = createCallNotesStore(localStorage);
    const { dialer, server } = startReporting({ notes: (callId) => notes.read(callId) });
    const callId = dialer.connectInbound('in-1', '+14155550123', 'Maria Garcia');
    notes.write(callId, 'Wants a refund');
    dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    dialer.send({ type: 'AGENT.RESET' });
    await flush();
    expect(server.requests.at(-1)!.body).toMatchObject({ callId, notes: 'Wants a refund' });
  });
});
