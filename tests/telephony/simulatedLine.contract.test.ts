import { vi } from 'vitest';
import { createSimulatedLine } from '../../src/telephony/simulated';
import { describeLineContract, simulatedHarness } from '../support/lineContract';

describeLineContract('the simulated line', () => {
  vi.useFakeTimers();
  const line = createSimulatedLine();
  return simulatedHarness(line, () => line);
});
