import { vi } from 'vitest';
import { createSipLineWith } from '../../src/telephony/sip/sipLine';
import { describeLineContract } from '../support/lineContract';
import { fakeMedia, FakeUserAgent, type FakeSession } from './fakeStack';

// The shared contract suite against the SIP line over a fake SIP stack, with fake timers: the far
// end rings for 200 ms then answers, and answers re-INVITEs after 50 ms. The same suite runs
// against Kamailio and real browsers in sipLine.e2e.test.ts.
describeLineContract('the SIP line over a fake SIP stack', () => {
  vi.useFakeTimers();
  let ua!: FakeUserAgent;
  const line = createSipLineWith(
    { websocketUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'contract-secret' },
    { statsEveryMs: 0 },
    { createUserAgent: (config) => (ua = new FakeUserAgent(config)), media: fakeMedia() },
  );
  ua.online();
  let remote: FakeSession | null = null;
  ua.onCall = (session) => {
    session.autoReInviteMs = 50;
    session.autoAcceptReferMs = 300;
    setTimeout(() => {
      if (session.isEnded()) return;
      session.ring();
      setTimeout(() => {
        if (session.isEnded()) return;
        session.confirm();
        remote = session;
      }, 200);
    }, 50);
  };
  return {
    line,
    answeringNumber: '2000',
    transferTargetNumber: '3000',
    async callAgent() {
      const session = ua.incoming('2000', 'Maria Garcia');
      session.autoReInviteMs = 50;
      // The ACK arrives shortly after the agent answers.
      session.on('peerconnection', () => setTimeout(() => session.confirm(), 50));
      remote = session;
    },
    async remoteHangsUp() {
      remote?.hangUp();
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
