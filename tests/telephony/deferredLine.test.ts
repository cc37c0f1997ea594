import { describe, expect, it, vi } from 'vitest';
import { deferLine } from '../../src/telephony/deferredLine';
import { LineError } from '../../src/telephony/line';
import { SIMULATED_CAPABILITIES, createSimulatedLine, type SimulatedLine } from '../../src/telephony/simulated';
import { FakeLine, ev } from '../support/fakeLine';
import { describeLineContract, simulatedHarness } from '../support/lineContract';

// The deferred wrapper must keep the whole port contract: run the shared suite through it.
describeLineContract('a deferred simulated line', () => {
  vi.useFakeTimers();
  const line = deferLine('simulated', SIMULATED_CAPABILITIES, async () => createSimulatedLine());
  return simulatedHarness(line, () => line.ready as Promise<SimulatedLine>);
});

describe('a line that is still loading', () => {
  it('passes commands given before it loaded on in order, and events after', async () => {
    let release: (line: FakeLine) => void = () => {};
    const inner = new FakeLine();
    const line = deferLine('simulated', SIMULATED_CAPABILITIES, () => new Promise<FakeLine>((resolve) => (release = resolve)));
    const seen: unknown[] = [];
    line.subscribe((event) => seen.push(event));
    const dialed = line.dial('c1', '+14155550100');
    const held = line.hold('c1');
    expect(inner.commands).toEqual([]);
    release(inner);
    await Promise.all([dialed, held]);
    expect(inner.commands.map((c) => c.type)).toEqual(['dial', 'hold']);
    inner.emit(ev.status('c1', 'connecting'));
    expect(seen).toEqual([ev.status('c1', 'connecting')]);
  });

  it('a line that fails to load refuses every command with not_ready', async () => {
    const line = deferLine('simulated', SIMULATED_CAPABILITIES, () => Promise.reject(new Error('chunk failed')));
    const error = await line.dial('c1', '+14155550100').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineError);
    expect((error as LineError).code).toBe('not_ready');
    expect((error as LineError).message).toMatch(/chunk failed/);
  });

  it('disposing before the line loaded disposes it once it arrives', async () => {
    const inner = new FakeLine();
    const dispose = vi.spyOn(inner, 'dispose');
    const line = deferLine('simulated', SIMULATED_CAPABILITIES, async () => inner);
    line.dispose();
    await line.ready.catch(() => undefined);
    expect(dispose).toHaveBeenCalledOnce();
  });
});
