import { describe, expect, it, vi } from 'vitest';
import { createSimulatedLine } from '../../src/telephony/simulated';
import { createSwitchableLine } from '../../src/telephony/switchableLine';
import { FakeLine, ev } from '../support/fakeLine';
import { describeLineContract, simulatedHarness } from '../support/lineContract';

// The switchable wrapper must keep the whole port contract: run the shared suite through it, with
// the simulated line it was switched to (the listeners moved from the line it started on).
describeLineContract('a switchable line switched to the simulated line', () => {
  vi.useFakeTimers();
  const inner = createSimulatedLine();
  const line = createSwitchableLine(new FakeLine());
  line.use(inner).dispose();
  return simulatedHarness(line, () => inner);
});

describe('switching lines', () => {
  it('sends commands to the current line only, and hears only the current line', () => {
    const first = new FakeLine();
    const second = new FakeLine();
    const line = createSwitchableLine(first);
    const seen: unknown[] = [];
    line.subscribe((event) => seen.push(event));
    expect(line.use(second)).toBe(first);
    void line.startWarmTransfer('c1', { number: '+14155550177', name: 'Sam' });
    void line.sendDigits('c1', '12#');
    expect(first.commands).toEqual([]);
    expect(second.commands).toEqual([
      { type: 'startWarmTransfer', callId: 'c1', target: { number: '+14155550177', name: 'Sam' } },
      { type: 'sendDigits', callId: 'c1', digits: '12#' },
    ]);
    first.emit(ev.status('c1', 'connected'));
    second.emit(ev.status('c1', 'ringing'));
    expect(seen).toEqual([ev.status('c1', 'ringing')]);
    expect(first.listenerCount).toBe(0);
  });
});
