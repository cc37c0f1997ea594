import { act } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFrontSession } from '../../src/front/session';
import type { FrontView } from '../../src/ui';
import { ev } from '../support/fakeLine';
import { contextOf, teammate } from '../support/fakeHost';
import { renderDialer, screen } from '../support/render';

function frontView() {
  const session = createFrontSession();
  const calls: string[] = [];
  const front: FrontView = { session, call: (handle) => calls.push(handle) };
  return { session, calls, front };
}

describe('inside Front', () => {
  it('shows the teammate and offers a one-click call to the open conversation’s phone recipient', async () => {
    const { session, calls, front } = frontView();
    const ui = renderDialer({ front });
    act(() =>
      session.applyContext(
        contextOf({ type: 'singleConversation', conversation: { id: 'cnv_1', phoneRecipient: { handle: '(415) 555-0100', name: 'Grace Hopper' } } }),
      ),
    );
    expect(screen.getByText(`Signed in as ${teammate.name}`)).toBeTruthy();
    await ui.user.click(screen.getByRole('button', { name: 'Call Grace Hopper' }));
    expect(calls).toEqual(['(415) 555-0100']);
  });

  it('offers no recipient call during a call', async () => {
    const { session, front } = frontView();
    const ui = renderDialer({ front });
    act(() => session.applyContext(contextOf({ type: 'singleConversation', conversation: { id: 'c', phoneRecipient: { handle: '+14155550100' } } })));
    await ui.user.type(screen.getByLabelText('Phone number'), '+14155550199{Enter}');
    ui.emit(ev.dialing(ui.line.commands[0]!.callId, '+14155550199'));
    expect(screen.queryByRole('button', { name: 'Call +14155550100' })).toBeNull();
  });

  it('outside Front it says so and the dialer still works', async () => {
    const { session, front } = frontView();
    const ui = renderDialer({ front });
    act(() => session.applyContext({ kind: 'unavailable', reason: 'Front did not answer.' }));
    expect(screen.getByRole('note').textContent).toMatch(/Not running inside Front \(Front did not answer\.\)/);
    await ui.user.type(screen.getByLabelText('Phone number'), '+14155550199{Enter}');
    expect(ui.line.commandsOf('dial')).toHaveLength(1);
  });

  it('uses Front’s tags for wrap-up once loaded', async () => {
    const { session, front } = frontView();
    const ui = renderDialer({ front, settings: { mandatoryTagging: true } });
    act(() => {
      session.applyContext(contextOf());
      session.setTags([{ id: 'tag_vip', name: 'VIP' }]);
    });
    await ui.user.type(screen.getByLabelText('Phone number'), '+14155550199{Enter}');
    const callId = ui.line.commands[0]!.callId;
    ui.emit(ev.dialing(callId, '+14155550199'));
    ui.emit(ev.status(callId, 'connected'));
    ui.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(screen.getAllByRole('checkbox').map((box) => box.getAttribute('aria-label') ?? box.parentElement?.textContent)).toEqual(['VIP']);
  });
});
