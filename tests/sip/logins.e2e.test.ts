// @vitest-environment node
/**
 * Logins against a phone server that checks passwords: a tiny Kamailio of this test's own (digest
 * authentication of REGISTER with one password, written below), started inside the SIP lab's
 * network namespace beside the lab's Kamailio. A wrong password is sent once, refused, and never
 * again by itself (the line says "The phone server refused the password"); the right one registers.
 * Kamailio logs every REGISTER it receives, which is what is counted.
 *
 * Needs the SIP lab's prerequisites plus nsenter. SIP_E2E=0 skips it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Lab, labPrerequisites } from './lab/lab';
import { RemoteLine } from './lab/remoteLine';
import { sleep, until } from './lab/scenario';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

const AUTH_PORT = 8090;
const RIGHT_PASSWORD = 'the-right-Pa55word';
const WRONG_PASSWORD = 'a-wrong-Pa55word';

/** A registrar that challenges every REGISTER and accepts only RIGHT_PASSWORD. */
const AUTH_CFG = `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=1
tcp_children=1
auto_aliases=no
listen=tcp:127.0.0.1:${AUTH_PORT}
tcp_accept_no_cl=yes
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "auth.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

request_route {
	force_rport();
	if (is_method("REGISTER")) {
		if ($hdr(Authorization) == $null) {
			xlog("L_ALERT", "REGISTER-IN without-credentials\\n");
		} else {
			xlog("L_ALERT", "REGISTER-IN with-credentials\\n");
		}
		if (!pv_www_authenticate("$td", "${RIGHT_PASSWORD}", "0")) {
			www_challenge("$td", "0");
			exit;
		}
		append_to_reply("Contact: $ct\\r\\n");
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("OPTIONS")) {
		sl_send_reply("200", "OK");
		exit;
	}
	sl_send_reply("403", "Forbidden");
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : labPrerequisites();
if (!skipped && spawnSync('sh', ['-c', 'command -v nsenter']).status !== 0) missing.push('nsenter');

let lab: Lab;
let runDir = '';
let kamailio: ChildProcess | null = null;
let kamailioOutput = '';

const registersReceived = () => (kamailioOutput.match(/REGISTER-IN (with|without)-credentials/g) ?? []).length;

describe.skipIf(skipped)('logins against a phone server that checks passwords, in the SIP lab', () => {
  if (missing.length > 0) {
    it('has what the SIP lab needs', () => {
      throw new Error(`The SIP end-to-end tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'sip-auth-'));
    writeFileSync(join(runDir, 'auth.cfg'), AUTH_CFG);
    ({ lab } = await Lab.start());
    await lab.openPage('agent', 'tests/sip/pages/agent.html');
    kamailio = spawn('nsenter', ['-t', String(lab.pid), '-n', 'kamailio', '-f', join(runDir, 'auth.cfg'), '-DD', '-E', '-Y', runDir, '-w', runDir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kamailio.stdout?.on('data', (chunk: Buffer) => (kamailioOutput += chunk.toString()));
    kamailio.stderr?.on('data', (chunk: Buffer) => (kamailioOutput += chunk.toString()));
    await until('the password-checking Kamailio to listen', () => /INFO: .*listening on|Listening on/i.test(kamailioOutput) || undefined, 15_000).catch(() => sleep(1000));
  });

  afterAll(async () => {
    try {
      if (kamailio?.pid) process.kill(-kamailio.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await lab?.stop();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  it('sends a refused password once, says "The phone server refused the password", and does not try again by itself; Connect with the right one registers', async () => {
    const account = (password: string) => ({ websocketUrl: `ws://127.0.0.1:${AUTH_PORT}`, sipUri: 'sip:1000@127.0.0.1', password });
    await lab.call('agent', 'create', account(WRONG_PASSWORD), {});
    const line = new RemoteLine(lab, 'agent', await lab.call('agent', 'capabilities'));
    try {
      const refused = await line.waitForRegistration('refused', 15_000);
      expect(refused).toEqual({ status: 'refused', reason: 'The phone server refused the password' });
      // One REGISTER without credentials (challenged), one with them (refused). Then nothing,
      // however long it waits (before: 8 REGISTERs in the first 20 s).
      // Proved: with the refused-password branch of src/telephony/sip/registrar.ts removed, this
      // test fails (the line says "Retrying..." and sends the password again at 2 s, 4 s, ...).
      await sleep(8000);
      console.log(`[logins] REGISTERs received for the wrong password in 8 s: ${registersReceived()}`);
      expect(registersReceived()).toBe(2);
      expect((await line.registration()).status).toBe('refused');
      const log = JSON.stringify(await lab.call('agent', 'log'));
      expect(log).not.toContain(WRONG_PASSWORD);

      // The teammate fixes the password and presses Connect: a new line, one new try.
      const before = registersReceived();
      await lab.call('agent', 'create', account(RIGHT_PASSWORD), {});
      await line.waitForRegistration('registered', 15_000);
      expect(registersReceived() - before).toBe(2);
    } finally {
      line.dispose();
    }
  });
});
