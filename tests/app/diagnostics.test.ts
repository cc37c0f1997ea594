import { afterEach, describe, expect, it } from 'vitest';
import { createDialer, recordDiagnostics } from '../../src/app';
import { reportSipLog } from '../../src/app/diagnostics';
import { createSipLineWith } from '../../src/telephony/sip/sipLine';
import { CAUSES } from '../../src/telephony/sip/stack';
import { fakeMedia, FakeUserAgent } from '../sip/fakeStack';
import { FakeLine } from '../support/fakeLine';

const PASSWORD = 'Diag-S3cret-pass';
const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

const settle = () => new Promise((done) => setTimeout(done, 0));

function setup() {
  const actor = createDialer({ line: new FakeLine() });
  actor.start();
  const diagnostics = recordDiagnostics(actor);
  let ua!: FakeUserAgent;
  const sip = createSipLineWith(
    { websocketUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: PASSWORD },
    { statsEveryMs: 0, logger: reportSipLog(diagnostics) },
    { createUserAgent: (config) => (ua = new FakeUserAgent(config)), media: fakeMedia() },
  );
  stops.push(() => sip.dispose(), () => diagnostics.stop(), () => actor.stop());
  const lineEntries = () => diagnostics.entries().filter((entry) => entry.source === 'line');
  return { sip, ua, diagnostics, lineEntries };
}

describe('the SIP line reports to the diagnostics channel', () => {
  it('a refused registration, with its SIP code and never the password', () => {
    const { ua, lineEntries } = setup();
    ua.connect();
    ua.refuseRegistration(CAUSES.AUTHENTICATION_ERROR, 403);
    expect(lineEntries().map((entry) => entry.detail)).toContainEqual({ code: 'sip_warn', message: expect.stringMatching(/Registration refused: .*SIP 403/) });
    expect(JSON.stringify(lineEntries())).not.toContain(PASSWORD);
  });

  // A second caller is a waiting call (issue 12); a third is refused by the line itself.
  it('an incoming call refused 486 Busy Here while two calls are in progress', async () => {
    const { ua, lineEntries } = setup();
    ua.online();
    ua.incoming('2000', null, 'first@pbx.example.com');
    await settle();
    ua.incoming('3000', null, 'second@pbx.example.com');
    await settle();
    expect(lineEntries().map((entry) => entry.detail)).not.toContainEqual({ code: 'sip_info', message: expect.stringMatching(/486 Busy Here/) });
    ua.incoming('4000', null, 'third@pbx.example.com');
    expect(lineEntries().map((entry) => entry.detail)).toContainEqual({ code: 'sip_info', message: expect.stringMatching(/486 Busy Here/) });
  });
});
