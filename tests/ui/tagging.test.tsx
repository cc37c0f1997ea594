import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, within, openSettings, closeSettings } from '../support/render';
import type { TagOption } from '../../src/ui';

const TO = '+14155550199';

async function endedConnectedCall(settings = { mandatoryTagging: true }, tagOptions?: readonly TagOption[]) {
  const ui = renderDialer({ settings, ...(tagOptions ? { tagOptions } : {}) });
  await ui.user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
  const callId = ui.line.commands[0]!.callId;
  ui.emit(ev.dialing(callId, TO));
  ui.emit(ev.status(callId, 'connected'));
  ui.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
  return { ...ui, callId };
}

describe('mandatory tagging', () => {
  it('asks for tags after a connected call and blocks new calls until Save tags', async () => {
    const { user, line } = await endedConnectedCall();
    expect(statusText()).toBe('Call ended. Tag the call to continue');
    expect(screen.getByRole('group', { name: 'Tag this call' })).toBeTruthy();
    expect(screen.getByText('After-call work')).toBeTruthy();
    expect(screen.queryByLabelText('Phone number')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New call' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('checkbox', { name: 'Sales' }));

    await user.click(screen.getByRole('checkbox', { name: 'Support' }));
    await user.click(screen.getByRole('checkbox', { name: 'Follow-up' }));
    await user.click(screen.getByRole('button', { name: 'Save tags' }));

    expect(screen.getByRole('heading', { name: 'The other party hung up' })).toBeTruthy();
    const tags = within(screen.getByRole('list', { name: 'Tags' })).getAllByRole('listitem');
    expect(tags.map((tag) => tag.textContent)).toEqual(['Support', 'Follow-up']);
    expect(screen.getByText('Available')).toBeTruthy();
    // The number field is back under the summary: the next call is one action.
    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    expect(line.commandsOf('dial')).toHaveLength(2);
  });

  it('Save tags with nothing picked says a tag is needed and stays on the tagging screen', async () => {
    const { user } = await endedConnectedCall();
    await user.click(screen.getByRole('button', { name: 'Save tags' }));
    expect(screen.getByRole('alert').textContent).toBe('Pick at least one tag.');
    expect(screen.getByRole('button', { name: 'Save tags' })).toBeTruthy();
  });

  it('offers the tag options the app was given, saves their ids and shows their names', async () => {
    const { user, actor } = await endedConnectedCall({ mandatoryTagging: true }, [
      { id: 'tag_1', name: 'Renewal' },
      { id: 'tag_2', name: 'Churn risk' },
    ]);
    expect(screen.getAllByRole('checkbox')).toHaveLength(2);
    expect(screen.getByRole('checkbox', { name: 'Renewal' })).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: 'Sales' })).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: 'Churn risk' }));
    await user.click(screen.getByRole('button', { name: 'Save tags' }));
    expect(actor.getSnapshot().context.tags).toEqual(['tag_2']);
    const tags = within(screen.getByRole('list', { name: 'Tags' })).getAllByRole('listitem');
    expect(tags.map((tag) => tag.textContent)).toEqual(['Churn risk']);
  });

  it('is skipped when the setting is off', async () => {
    await endedConnectedCall({ mandatoryTagging: false });
    expect(screen.queryByRole('button', { name: 'Save tags' })).toBeNull();
    expect(screen.getByLabelText('Phone number')).toBeTruthy();
  });

  it('turning on "Require tags after each call" in Settings applies to the next call', async () => {
    const ui = renderDialer();
    await openSettings(ui.user);
    const box = screen.getByRole('checkbox', { name: 'Require tags after each call' }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await ui.user.click(box);
    expect(box.checked).toBe(true);
    await closeSettings(ui.user);

    await ui.user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    const callId = ui.line.commands[0]!.callId;
    ui.emit(ev.status(callId, 'connected'));
    ui.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(screen.getByRole('button', { name: 'Save tags' })).toBeTruthy();
  });
});
