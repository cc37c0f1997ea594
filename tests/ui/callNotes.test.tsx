import { afterEach, describe, expect, it } from 'vitest';
import { createCallNotesStore, NOTES_PREFIX } from '../../src/calllog/notes';
import { summaryBody } from '../../src/calllog/reports';
import { ev } from '../support/fakeLine';
import { renderDialer, screen } from '../support/render';

afterEach(() => localStorage.clear());

function connectedCall(callId = 'c1') {
  const ui = renderDialer();
  ui.emit(ev.incoming(callId, '+14155550123', 'Maria Garcia'));
  ui.emit(ev.status(callId, 'ringing'));
  ui.emit(ev.status(callId, 'connected'));
  return ui;
}

describe('call notes (issue 10)', () => {
  it('a "Call notes" field during the call keeps what is typed by call id, and it is back after a reload', async () => {
    const ui = connectedCall();
    const field = await screen.findByLabelText('Call notes');
    await ui.user.type(field, 'Wants a refund');
    expect(createCallNotesStore(localStorage).read('c1')).toBe('Wants a refund');

    // A reload: a new page, the same call (the next owner recovers it by id).
    ui.unmount();
    connectedCall();
    expect(((await screen.findByLabelText('Call notes')) as HTMLTextAreaElement).value).toBe('Wants a refund');
  });

  it('another call has its own notes', async () => {
    createCallNotesStore(localStorage).write('c-first', 'first call');
    connectedCall('c-second');
    expect(((await screen.findByLabelText('Call notes')) as HTMLTextAreaElement).value).toBe('');
  });

  it('in wrap-up (mandatory tagging) the field is there, and once the call settled it is read-only', async () => {
    const ui = renderDialer({ settings: { mandatoryTagging: true } });
    ui.emit(ev.incoming('c-wrap', '+14155550123'));
    ui.emit(ev.status('c-wrap', 'ringing'));
    ui.emit(ev.status('c-wrap', 'connected'));
    ui.emit(ev.status('c-wrap', 'ended', 'regular', 'remoteHangup'));
    const field = (await screen.findByLabelText('Call notes')) as HTMLTextAreaElement;
    await ui.user.type(field, 'Call back Monday');
    await ui.user.click(screen.getAllByRole('checkbox')[0]!);
    await ui.user.click(screen.getByRole('button', { name: 'Save tags' }));
    const after = (await screen.findByLabelText('Call notes')) as HTMLTextAreaElement;
    expect(after.value).toBe('Call back Monday');
    expect(after.readOnly).toBe(true);
  });

  it('notes go in the summary body (trimmed, within the limit); none means no field', () => {
    const call = { callId: 'c1', endReason: 'remoteHangup' as const, duration: 42, connectedAt: 1, endedAt: 2, tags: [] };
    expect(summaryBody(call, null, '  Wants a refund \n')).toMatchObject({ notes: 'Wants a refund' });
    expect(summaryBody(call, null, '   ')).not.toHaveProperty('notes');
    expect(summaryBody(call, null, 'x'.repeat(20_000)).notes).toHaveLength(10_000);
  });

  it('the store is bounded: empty notes remove the entry', () => {
    const store = createCallNotesStore(localStorage);
    store.write('c1', 'x');
    expect(localStorage.getItem(`${NOTES_PREFIX}c1`)).not.toBeNull();
    store.write('c1', '  ');
    expect(localStorage.getItem(`${NOTES_PREFIX}c1`)).toBeNull();
  });
});

describe('call notes where the browser refuses local storage (third-party storage blocked)', () => {
  // Found in Chromium (tests/e2e/agentDay.e2e.test.ts): the plugin's frame may not use local storage.
  // Proved: without the page's own copy in src/calllog/notes.ts this fails.
  it('are kept in the page, so the call log still sends them', () => {
    const blocked = {
      get length(): number {
        throw new DOMException('Access is denied', 'SecurityError');
      },
      key: () => null,
      getItem: (): string | null => {
        throw new DOMException('Access is denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('Access is denied', 'SecurityError');
      },
      removeItem: () => {
        throw new DOMException('Access is denied', 'SecurityError');
      },
    };
    createCallNotesStore(blocked).write('c-blocked', 'Wants a refund');
    expect(createCallNotesStore(blocked).read('c-blocked')).toBe('Wants a refund');
    expect(createCallNotesStore(undefined).read('c-blocked')).toBe('Wants a refund');
  });
});
