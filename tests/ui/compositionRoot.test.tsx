import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { createDialer, loadSettings, persistSettings, recordDiagnostics, simulatorControls } from '../../src/app';
import { LineError } from '../../src/telephony';
import { createSimulatedLine, SIMULATED_CALLERS } from '../../src/telephony/simulated';
import { SimulatedLinePanel } from '../../src/ui/SimulatedLinePanel';
import { FakeLine } from '../support/fakeLine';
import { renderDialer, screen, openSettings } from '../support/render';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

describe('the simulated line panel', () => {
  const fake = () => ({
    callers: [{ number: '+14155550123', name: 'Maria Garcia' }, { number: '+12125550199' }],
    testNumbers: [{ number: '+15005550001', label: 'Busy' }],
    ringAgent: vi.fn<(from: string) => void>(),
  });

  it('rings the agent from the caller picked in "Caller"', async () => {
    const simulator = fake();
    const user = userEvent.setup();
    render(<SimulatedLinePanel simulator={simulator} />);
    await user.selectOptions(screen.getByLabelText('Caller'), '+12125550199');
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    expect(simulator.ringAgent).toHaveBeenCalledWith('+12125550199');
  });

  it('says why the simulated caller could not ring', async () => {
    const simulator = fake();
    simulator.ringAgent.mockImplementation(() => {
      throw new LineError('invalid_state', 'A call is already in progress.');
    });
    const user = userEvent.setup();
    render(<SimulatedLinePanel simulator={simulator} />);
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    expect(screen.getByRole('alert').textContent).toBe('A call is already in progress.');
  });

  it('is not shown for a line without simulator controls', () => {
    expect(simulatorControls(new FakeLine())).toBeNull();
    renderDialer();
    expect(screen.queryByRole('region', { name: 'Simulated line' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Simulate incoming call' })).toBeNull();
  });

  it('offers the simulated callers of the simulated line', () => {
    const line = createSimulatedLine();
    const controls = simulatorControls(line);
    expect(controls?.callers).toEqual(SIMULATED_CALLERS);
    expect(controls?.testNumbers.map((t) => t.label)).toEqual([
      'Busy',
      'No answer',
      'Rejects the call',
      'Answers, then the connection is lost',
      'Answers, then hangs up',
    ]);
    line.dispose();
  });
});

describe('settings storage', () => {
  // Proved: taking the stored mandatoryTagging without its boolean check in src/app/settingsStorage.ts makes this
  // fail (2026-12-02).
  it('reads the saved "require tags" setting and ignores anything malformed', () => {
    expect(loadSettings(memoryStorage({ 'softphone.settings': '{"mandatoryTagging":true}' }))).toEqual({ mandatoryTagging: true });
    expect(loadSettings(memoryStorage({ 'softphone.settings': '{"mandatoryTagging":"yes"}' }))).toEqual({});
    expect(loadSettings(memoryStorage({ 'softphone.settings': 'not json' }))).toEqual({});
    expect(loadSettings(memoryStorage())).toEqual({});
    expect(loadSettings(undefined)).toEqual({});
    const blocked = { getItem: () => { throw new Error('SecurityError'); } };
    expect(loadSettings(blocked)).toEqual({});
  });

  it('saves the setting when the agent changes it, and the next start picks it up', async () => {
    const storage = memoryStorage();
    const first = renderDialer();
    persistSettings(first.actor, storage);
    expect(storage.items.size).toBe(0);
    await openSettings(first.user);
    await first.user.click(screen.getByRole('checkbox', { name: 'Require tags after each call' }));
    expect(JSON.parse(storage.items.get('softphone.settings')!)).toEqual({ mandatoryTagging: true, callWaiting: true });
    first.unmount();

    const next = renderDialer({ settings: loadSettings(storage) });
    await openSettings(next.user);
    expect((screen.getByRole('checkbox', { name: 'Require tags after each call' }) as HTMLInputElement).checked).toBe(true);
  });
});

describe('diagnostics', () => {
  it('keeps only the last 50 diagnostics', () => {
    const line = new FakeLine();
    const actor = createDialer({ line });
    const diagnostics = recordDiagnostics(actor);
    actor.start();
    for (let i = 0; i < 60; i++) actor.send({ type: 'AGENT.DIAL', number: `bad-${i}` });
    const entries = diagnostics.entries();
    expect(entries).toHaveLength(50);
    expect(entries[0]!.detail.code).toBe('invalid_input');
    expect(line.commands).toEqual([]);
    diagnostics.stop();
    actor.send({ type: 'AGENT.DIAL', number: 'bad' });
    expect(diagnostics.entries()).toHaveLength(50);
    actor.stop();
  });
});
