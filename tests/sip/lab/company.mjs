// The company-like part of the SIP lab (tests/sip/company.e2e.test.ts): what stands between a
// company's teammates and their phones, inside the lab's private network namespace.
//
//   Kamailio   digest authentication on REGISTER (401) and INVITE (407), wss:// with a certificate
//              made here, from kamailio/company/kamailio.cfg.tmpl
//   rtpengine  Debian's rtpengine-daemon, user-space forwarding only (--table=-1): bridges a
//              browser (ICE + DTLS-SRTP) to a desk phone (plain RTP)
//   baresip    a desk phone registered with a password, driven over its ctrl_tcp interface; it
//              plays a known tone (made with sox) and records what it hears (sndfile module)
//   coturn     a TURN server with `use-auth-secret` (the TURN REST scheme)
//
// Every password and secret is generated here, at start, and never written to a log. Every
// process is started in its own process group and killed by it at stop.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const ADDRESS = '127.0.0.1';
export const DOMAIN = '127.0.0.1';
export const WSS_PORT = 8443;
const RTPENGINE_NG_PORT = 2223;
const DESK_SIP_PORT = 5070;
const DESK_CTRL_PORT = 4444;
export const TURN_PORT = 3478;
/** The tone the browsers send (their fake microphone plays it) and the one the desk phone sends. */
export const BROWSER_TONE_HZ = 600;
export const DESK_TONE_HZ = 1000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const secret = () => randomBytes(18).toString('base64url');

/** A child process in its own process group, with its output kept (whole lines) in `log`. */
function startProcess(command, args, log, options = {}) {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const reader = () => {
    let partial = '';
    return (chunk) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) log.push(line);
    };
  };
  child.stdout.on('data', reader());
  child.stderr.on('data', reader());
  child.exited = new Promise((done) => child.once('exit', done));
  return child;
}

async function killGroup(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await Promise.race([child.exited, sleep(5000)]);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

export async function portOpen(port, host = ADDRESS) {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function udpBound(port) {
  const out = spawnSync('ss', ['-Hlun', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '';
  return out.trim().length > 0;
}

async function waitFor(what, check, log, child, timeoutMs = 15_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what}: the process exited:\n${log.slice(-20).join('\n')}`);
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`Timed out waiting for ${what}:\n${log.slice(-20).join('\n')}`);
}

/**
 * Makes the company's secrets, certificate, tones and configuration files in `dir`. Returns what
 * the tests need to know (never written to a log).
 */
export function prepareCompany(root, dir, { users }) {
  mkdirSync(dir, { recursive: true });
  const passwords = Object.fromEntries(users.map((user) => [user, secret()]));
  const turnSecret = secret();

  // The certificate for wss://: self-signed, made now, valid for a day. Chromium accepts it by its
  // public key (--ignore-certificate-errors-spki-list), nothing else.
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=pbx.company.test', '-addext', `subjectAltName=IP:${ADDRESS},DNS:pbx.company.test`,
    '-keyout', key, '-out', cert,
  ]);
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  const spkiHash = createHash('sha256').update(spki).digest('base64');

  // Tones: the browsers' fake microphone (48 kHz, looped by Chromium) and the desk phone's source
  // (8 kHz like its G.711 codec; long enough for any one call).
  const browserTone = join(dir, 'browser-tone.wav');
  const deskTone = join(dir, 'desk-tone.wav');
  run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', browserTone, 'synth', '10', 'sine', String(BROWSER_TONE_HZ), 'vol', '0.5']);
  run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', deskTone, 'synth', '120', 'sine', String(DESK_TONE_HZ), 'vol', '0.5']);

  // Kamailio: the template with this run's values, its users, its TLS settings.
  const template = readFileSync(join(root, 'kamailio/company/kamailio.cfg.tmpl'), 'utf8');
  const values = { DEBUG: process.env.SIP_LAB_DEBUG ? 3 : 1, DOMAIN, ADDRESS, WSS_PORT, RTPENGINE_NG_PORT, RUN_DIR: dir, NONCE_SECRET: secret() };
  const config = template.replace(/@@([A-Z_]+)@@/g, (_, name) => {
    if (!(name in values)) throw new Error(`kamailio.cfg.tmpl: unknown field @@${name}@@`);
    return String(values[name]);
  });
  writeFileSync(join(dir, 'kamailio.cfg'), config);
  writeFileSync(
    join(dir, 'credentials.cfg'),
    `# Generated by tests/sip/lab/company.mjs for one lab run.\nevent_route[htable:mod-init] {\n${users
      .map((user) => `\t$sht(users=>${user}) = "${passwords[user]}";`)
      .join('\n')}\n}\n`,
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, 'tls.cfg'),
    `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${key}\ncertificate = ${cert}\n\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n`,
  );
  return { passwords, turnSecret, spkiHash, browserTone, deskTone, cert };
}

// ---- rtpengine, coturn ---------------------------------------------------------------------------

export async function startRtpengine(dir, log) {
  mkdirSync(join(dir, 'rtp-recordings'), { recursive: true });
  const child = startProcess('rtpengine', [
    '--foreground', '--log-stderr', `--log-level=${process.env.SIP_LAB_DEBUG ? 7 : 5}`,
    // User-space forwarding only: no kernel table, never the kernel module.
    '--table=-1',
    // Browsers offer DTLS actpass: rtpengine answers passive, so the browser starts the handshake.
    '--dtls-passive',
    `--interface=${ADDRESS}`,
    `--listen-ng=${ADDRESS}:${RTPENGINE_NG_PORT}`,
    '--port-min=30000', '--port-max=30999',
    `--pidfile=${join(dir, 'rtpengine.pid')}`,
    '--delete-delay=0',
    // Every call's media as pcap (SRTP decrypted), for the tests: see rtpRecording().
    `--recording-dir=${join(dir, 'rtp-recordings')}`,
    '--recording-method=pcap',
    '--recording-format=raw',
  ], log);
  await waitFor('rtpengine', () => udpBound(RTPENGINE_NG_PORT), log, child);
  return child;
}

export async function startCoturn(dir, turnSecret, log) {
  // The configuration file holds the static secret, so it is not on any command line.
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(
    conf,
    [
      `listening-ip=${ADDRESS}`,
      `relay-ip=${ADDRESS}`,
      `listening-port=${TURN_PORT}`,
      'min-port=40000',
      'max-port=40999',
      'use-auth-secret',
      `static-auth-secret=${turnSecret}`,
      'realm=company.test',
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-tcp-relay',
      // Everything in the lab is on loopback: the peers (rtpengine, the browsers) included.
      'allow-loopback-peers',
      `userdb=${join(dir, 'turndb')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
      'log-file=stdout',
      'simple-log',
      'verbose',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = startProcess('turnserver', ['-c', conf], log);
  await waitFor('coturn', () => udpBound(TURN_PORT), log, child);
  return child;
}

// ---- baresip, the desk phone ----------------------------------------------------------------------

/**
 * The desk phone: baresip registered as `user` with its password, answering only when told, its
 * microphone the desk tone, what it hears recorded under `<dir>/desk/recordings`.
 */
export class DeskPhone {
  constructor(dir, log) {
    this.dir = join(dir, 'desk');
    this.recordings = join(this.dir, 'recordings');
    this.log = log;
    /** baresip's events (ctrl_tcp), in order. */
    this.events = [];
    this.pending = new Map();
    this.nextToken = 1;
    this.child = null;
    this.socket = null;
  }

  async start({ user, password, tone }) {
    mkdirSync(this.recordings, { recursive: true });
    writeFileSync(
      join(this.dir, 'config'),
      [
        'poll_method epoll',
        // The lab's namespace has only loopback, which baresip skips unless told to use it.
        `net_interface ${ADDRESS}`,
        `sip_listen ${ADDRESS}:${DESK_SIP_PORT}`,
        'audio_path /usr/share/baresip',
        // The microphone plays the desk tone. No speaker at all: the sndfile filter records the
        // decoded audio (a player would be restarted by every re-INVITE, and baresip 1.0 stops
        // feeding the recording after that).
        `audio_source aufile,${tone}`,
        'ausrc_srate 8000',
        'auplay_srate 8000',
        'ausrc_channels 1',
        'auplay_channels 1',
        'rtp_ports 31000-31999',
        // A second call may arrive while one is up (a warm transfer's INVITE with Replaces, which
        // baresip 1.0 takes as a new call: the test answers it).
        'call_max_calls 4',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `snd_path ${this.recordings}`,
        `ctrl_tcp_listen ${ADDRESS}:${DESK_CTRL_PORT}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.dir, 'accounts'),
      `"Desk ${user}" <sip:${user}@${DOMAIN};transport=udp>;auth_pass=${password};answermode=manual;regint=600;ptime=20;audio_codecs=PCMU\n`,
      { mode: 0o600 },
    );
    this.child = startProcess('baresip', ['-f', this.dir], this.log, { cwd: this.dir });
    await waitFor('baresip ctrl_tcp', () => portOpen(DESK_CTRL_PORT), this.log, this.child);
    await this.connect();
  }

  async connect() {
    const socket = connect({ host: ADDRESS, port: DESK_CTRL_PORT });
    await new Promise((done, fail) => {
      socket.once('connect', done);
      socket.once('error', fail);
    });
    this.socket = socket;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      // Netstrings: "<length>:<json>,"
      for (;;) {
        const colon = buffer.indexOf(0x3a);
        if (colon < 0) break;
        const length = Number(buffer.subarray(0, colon).toString());
        if (buffer.length < colon + 1 + length + 1) break;
        const text = buffer.subarray(colon + 1, colon + 1 + length).toString('utf8');
        buffer = buffer.subarray(colon + 1 + length + 1);
        let message;
        try {
          message = JSON.parse(text);
        } catch {
          continue;
        }
        if (message.event) this.events.push({ ...message, at: Date.now() });
        else if (message.response) {
          const waiting = this.pending.get(message.token);
          this.pending.delete(message.token);
          waiting?.(message);
        }
      }
    });
    socket.on('error', () => {});
  }

  /** Runs a baresip command (its menu's long names: dial, accept, hangup, hold, resume, ...). */
  command(command, params = '') {
    if (!this.socket) return Promise.reject(new Error('The desk phone is not running.'));
    const token = String(this.nextToken++);
    const body = JSON.stringify({ command, params, token });
    this.socket.write(`${Buffer.byteLength(body)}:${body},`);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        fail(new Error(`baresip did not answer ${command}`));
      }, 5000);
      this.pending.set(token, (message) => {
        clearTimeout(timer);
        done({ ok: message.ok !== false, data: String(message.data ?? '') });
      });
    });
  }

  /** The decoded audio of the newest recording (what the desk phone heard), as 16-bit samples. */
  recording() {
    const files = readdirSync(this.recordings)
      .filter((name) => name.endsWith('-dec.wav'))
      .map((name) => ({ name, at: statSync(join(this.recordings, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    if (files.length === 0) return null;
    const data = readFileSync(join(this.recordings, files[0].name));
    // The header may not be final while the call runs: take everything after the "data" chunk id.
    const at = data.indexOf('data', 12);
    if (at < 0) return null;
    const sampleRate = data.readUInt32LE(24);
    const pcm = data.subarray(at + 8);
    const samples = [];
    for (let i = 0; i + 1 < pcm.length; i += 2) samples.push(pcm.readInt16LE(i) / 32768);
    return { file: files[0].name, sampleRate, samples };
  }

  clearRecordings() {
    for (const name of readdirSync(this.recordings)) rmSync(join(this.recordings, name), { force: true });
  }

  async stop() {
    this.socket?.destroy();
    this.socket = null;
    await killGroup(this.child);
  }
}

export { killGroup, startProcess };

// ---- what crossed rtpengine ------------------------------------------------------------------------

/** G.711 µ-law to linear, in -1..1. */
function ulaw(byte) {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return (sign ? -magnitude : magnitude) / 32768;
}

function pcapFiles(dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.pcap')) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/**
 * The PCMU audio rtpengine relayed that was not sent by the desk phone (its RTP ports are
 * 31000-31999), i.e. what went to the desk phone, from rtpengine's pcap recordings (raw IPv4,
 * SRTP already decrypted): 8 kHz samples of the packets received from `sinceMs` until `untilMs`
 * (wall clock), in arrival order.
 */
export function towardDesk(dir, sinceMs, untilMs = Infinity) {
  const samples = [];
  let packets = 0;
  for (const file of pcapFiles(join(dir, 'rtp-recordings'))) {
    const data = readFileSync(file);
    if (data.length < 24) continue;
    let at = 24;
    while (at + 16 <= data.length) {
      const seconds = data.readUInt32LE(at);
      const micros = data.readUInt32LE(at + 4);
      const length = data.readUInt32LE(at + 8);
      const packet = data.subarray(at + 16, at + 16 + length);
      at += 16 + length;
      if (packet.length < length || (packet[0] >> 4) !== 4 || packet[9] !== 17) continue;
      const udp = (packet[0] & 0x0f) * 4;
      const sourcePort = packet.readUInt16BE(udp);
      const rtp = packet.subarray(udp + 8);
      if (rtp.length < 12 || rtp[0] >> 6 !== 2) continue;
      const payloadType = rtp[1] & 0x7f;
      if (payloadType !== 0 || (sourcePort >= 31000 && sourcePort <= 31999)) continue;
      const receivedAt = seconds * 1000 + micros / 1000;
      if (receivedAt < sinceMs || receivedAt > untilMs) continue;
      let header = 12 + (rtp[0] & 0x0f) * 4;
      if (rtp[0] & 0x10) header += 4 + rtp.readUInt16BE(header + 2) * 4;
      for (const byte of rtp.subarray(header)) samples.push(ulaw(byte));
      packets += 1;
    }
  }
  return { sampleRate: 8000, samples, packets };
}
