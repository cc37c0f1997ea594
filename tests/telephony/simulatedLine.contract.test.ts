import { vi } from 'vitest';
import { createSimulatedLine } from '../../src/telephony/simulated';
import { describeLineContract } from '../support/lineContract';

describeLineContract('the simulated line', () => {
  vi.useFakeTimers();
  const line = createSimulatedLine();
  return {
    line,
    answeringNumber: '+14155550142',
    transferTargetNumber: '+14155550177',
    async callAgent() {
      line.ringAgent();
    },
    async remoteHangsUp() {
      line.remoteHangsUp();
    },
    async advance(ms) {
      await vi.advanceTimersByTimeAsync(ms);
    },
    dispose() {
      line.dispose();
      vi.useRealTimers();
    },
  };
});
