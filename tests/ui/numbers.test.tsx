import { act } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createNumberReader, loadPhoneTools, type DialRules, type PhoneTools } from '../../src/phone';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, within } from '../support/render';

const WITH_EXTENSIONS: DialRules = { region: 'US', extensions: { minDigits: 2, maxDigits: 6 } };

describe('numbers as people type them (issue 10)', () => {
  it('a national number is read in the default region, dialled in E.164 and shown in the national format', async () => {
    const { user, line } = renderDialer();
    await user.type(screen.getByLabelText('Phone number'), '(415) 555-0100{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
    expect(screen.getByRole('heading', { name: '(415) 555-0100' })).toBeTruthy();
  });

  it('a number of another region is shown in the international format', async () => {
    const { user, line } = renderDialer();
    await user.type(screen.getByLabelText('Phone number'), '+44 20 7946 0958{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+442079460958' }]);
    expect(screen.getByRole('heading', { name: '+44 20 7946 0958' })).toBeTruthy();
  });

  it("the deployment's region reads national numbers: 020 7946 0958 in GB", async () => {
    const { user, line } = renderDialer({ numbers: createNumberReader({ rules: { region: 'GB', extensions: null } }) });
    await user.type(screen.getByLabelText('Phone number'), '020 7946 0958{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+442079460958' }]);
    expect(screen.getByRole('heading', { name: '020 7946 0958' })).toBeTruthy();
  });

  it('an extension typed after the number is dialled as tones once connected, not as part of the number', async () => {
    const { user, line } = renderDialer();
    await user.type(screen.getByLabelText('Phone number'), '415 555 0100 x42{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
  });

  it('with the extension rule on, an internal extension in range is dialled as typed; one out of range is refused', async () => {
    const { user, line } = renderDialer({ numbers: createNumberReader({ rules: WITH_EXTENSIONS }) });
    const field = screen.getByLabelText('Phone number');
    await user.type(field, '1234567{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('That number is too short (read as a US number).');
    expect(line.commands).toEqual([]);
    await user.clear(field);
    await user.type(field, '1234{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '1234' }]);
  });

  // Proved: with forLine() dropped from src/phone/reader.ts, '1234' dials on the simulated line and this fails.
  it('the extension rule applies only on a line with extensions (a phone system, not the simulated line)', async () => {
    let sip = false;
    const { user, line } = renderDialer({ numbers: createNumberReader({ rules: WITH_EXTENSIONS, extensionsOnLine: () => sip }) });
    const field = screen.getByLabelText('Phone number');
    await user.type(field, '1234{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('That number is too short (read as a US number); no internal extensions are set up.');
    expect(line.commands).toEqual([]);
    sip = true;
    await user.clear(field);
    await user.type(field, '1234{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '1234' }]);
  });

  it('with the extension rule off (the default), the same digits are refused and say why', async () => {
    const { user, line } = renderDialer();
    await user.type(screen.getByLabelText('Phone number'), '1234{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('That number is too short (read as a US number); no internal extensions are set up.');
    expect(line.commands).toEqual([]);
  });

  it('a transfer target goes through the same reader: national in, E.164 to the line', async () => {
    const { user, line, emit } = renderDialer();
    emit(ev.incoming('c1', '+14155550123', 'Maria Garcia'));
    emit(ev.status('c1', 'ringing'));
    emit(ev.status('c1', 'connected'));
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    await user.type(screen.getByLabelText('Transfer to'), '123{Enter}');
    expect(within(screen.getByRole('alert')).getByText(/too short/)).toBeTruthy();
    expect(line.commandsOf('startWarmTransfer')).toEqual([]);
    await user.clear(screen.getByLabelText('Transfer to'));
    await user.type(screen.getByLabelText('Transfer to'), '(415) 555-0142{Enter}');
    expect(line.commandsOf('startWarmTransfer')).toEqual([
      { type: 'startWarmTransfer', callId: 'c1', target: { number: '+14155550142' } },
    ]);
  });

  it('a number dialled while the phone tools still load waits for them, then dials (nothing refused, nothing lost)', async () => {
    let release: (tools: PhoneTools) => void = () => {};
    const slow = new Promise<PhoneTools>((resolve) => (release = resolve));
    const numbers = createNumberReader({ tools: { load: () => slow, ifLoaded: () => null } });
    const { user, line } = renderDialer({ numbers });
    await user.type(screen.getByLabelText('Phone number'), '(415) 555-0100{Enter}');
    expect(line.commands).toEqual([]);
    expect(statusText()).toBe('Ready');
    const tools = await loadPhoneTools();
    await act(async () => {
      release(tools);
      await slow;
    });
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
  });
});

describe('names (issue 10)', () => {
  it("a typed number that is the open conversation's recipient is called by the name Front gave, number shown formatted", async () => {
    const { createFrontSession } = await import('../../src/front/session');
    const { contextOf } = await import('../support/fakeHost');
    const session = createFrontSession();
    const { user, line } = renderDialer({ front: { session, call: () => {} } });
    act(() =>
      session.applyContext(contextOf({ type: 'singleConversation', conversation: { id: 'cnv_1', phoneRecipient: { handle: 'tel:+1-415-555-0100', name: 'Jordan Lee' } } })),
    );
    await user.type(screen.getByLabelText('Phone number'), '415 555 0100{Enter}');
    expect(line.commandsOf('dial').map((c) => c.to)).toEqual(['+14155550100']);
    expect(screen.getByRole('heading', { name: 'Jordan Lee' })).toBeTruthy();
    expect(screen.getByText('(415) 555-0100')).toBeTruthy();
  });
});

describe('names kept when the line knows none (issue 10)', () => {
  it("the line's own report of the party (no name) does not drop the name Front gave", async () => {
    const { createFrontSession } = await import('../../src/front/session');
    const { contextOf } = await import('../support/fakeHost');
    const session = createFrontSession();
    const { user, line, emit } = renderDialer({ front: { session, call: () => {} } });
    act(() => session.applyContext(contextOf({ type: 'singleConversation', conversation: { id: 'cnv_1', phoneRecipient: { handle: '(415) 555-0100', name: 'Jordan Lee' } } })));
    await user.type(screen.getByLabelText('Phone number'), '(415) 555-0100{Enter}');
    const callId = line.commands[0]!.callId;
    emit(ev.dialing(callId, '+14155550100'));
    emit(ev.status(callId, 'connected'));
    emit(ev.sync(callId, { activeParticipant: { number: '+14155550100' } }));
    expect(screen.getByRole('heading', { name: 'Jordan Lee' })).toBeTruthy();
  });
});
