/**
 * The Node side of the SIP lab: starts tests/sip/lab/runner.mjs in a private network namespace
 * with only loopback up, so Kamailio, the Vite dev server and Chromium can only ever talk to each
 * other, and drives it over the Node IPC channel.
 *
 *     unshare -n sh -c 'ip link set lo up && exec node tests/sip/lab/runner.mjs'
 *
 * Needs root (or CAP_SYS_ADMIN) for `unshare -n`, Kamailio with its websocket modules, and
 * Debian's Chromium at /usr/bin/chromium. {@link labPrerequisites} says what is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
const runner = resolve(here, 'runner.mjs');

/** What a page reported (`labEmit(data)` in the page). */
export interface PageEvent {
  readonly page: string;
  readonly data: unknown;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Says what this machine lacks to run the lab, or returns [] when it has everything. */
export function labPrerequisites(): string[] {
  const missing: string[] = [];
  const chromium = process.env.SIP_LAB_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) missing.push(`Chromium at ${chromium} (apt-get install -y chromium)`);
  const kamailio = spawnSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' });
  if (kamailio.status !== 0) missing.push('kamailio (apt-get install -y kamailio kamailio-websocket-modules)');
  else if (!existsSync('/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so') && !existsSync('/usr/lib/kamailio/modules/websocket.so')) {
    missing.push('Kamailio websocket module (apt-get install -y kamailio-websocket-modules)');
  }
  const netns = spawnSync('unshare', ['-n', 'true']);
  if (netns.status !== 0) missing.push('a private network namespace (unshare -n needs root or CAP_SYS_ADMIN)');
  return missing;
}

/** What the company-like lab needs on top of {@link labPrerequisites}. */
export function companyLabPrerequisites(): string[] {
  const missing = labPrerequisites();
  const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!existsSync('/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so') && !existsSync('/usr/lib/kamailio/modules/tls.so')) missing.push('Kamailio TLS module (apt-get install -y kamailio-tls-modules)');
  if (!has('rtpengine')) missing.push('rtpengine (apt-get install -y rtpengine-daemon)');
  if (!has('baresip')) missing.push('baresip (apt-get install -y baresip-core)');
  if (!has('sox')) missing.push('sox (apt-get install -y sox)');
  if (!has('turnserver')) missing.push('coturn (apt-get install -y coturn)');
  if (!has('openssl')) missing.push('openssl (apt-get install -y openssl)');
  return missing;
}

export class Lab {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly listeners = new Set<(event: PageEvent) => void>();
  /** Everything the pages reported, for failure messages. */
  readonly pageLog: PageEvent[] = [];
  readonly ready: Promise<string[]>;
  private exited = false;

  private constructor() {
    this.child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${runner}"`], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    let ready: (links: string[]) => void = () => {};
    this.ready = new Promise((done, fail) => {
      ready = done;
      this.child.once('exit', (code) => fail(new Error(`The SIP lab exited (${code}) before it was ready.`)));
    });
    this.child.on('message', (message: any) => {
      if (message?.event === 'ready') {
        ready(message.links as string[]);
        return;
      }
      if (message?.event === 'page') {
        const event = { page: message.page as string, data: message.data as unknown };
        this.pageLog.push(event);
        for (const listener of [...this.listeners]) listener(event);
        return;
      }
      const waiting = this.pending.get(message?.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(message.error));
    });
    this.child.on('exit', () => {
      this.exited = true;
      for (const waiting of this.pending.values()) waiting.reject(new Error('The SIP lab exited.'));
      this.pending.clear();
    });
  }

  /** Starts the lab: the namespace, Kamailio, the web server and the browser. */
  static async start(): Promise<{ lab: Lab; wsUrl: string }> {
    const lab = new Lab();
    const links = await lab.ready;
    if (links.join(',') !== 'lo') throw new Error(`The lab's network namespace should only have loopback, it has: ${links.join(', ')}`);
    await lab.request('kamailio.start');
    const web = (await lab.request('web.start')) as { wsUrl: string };
    return { lab, wsUrl: web.wsUrl };
  }

  /**
   * Starts the company-like lab (tests/sip/lab/company.mjs): rtpengine, Kamailio with digest
   * authentication and wss://, coturn, and a baresip desk phone registered as `desk`, then the web
   * server and a browser that trusts the lab's certificate and sends the browser tone.
   * `passwords` (per user) and `turnSecret` are made for this run only.
   */
  static async startCompany(options: { users: string[]; desk: string }): Promise<{ lab: Lab; wsUrl: string; passwords: Record<string, string>; turnSecret: string }> {
    const lab = new Lab();
    try {
      const links = await lab.ready;
      if (links.join(',') !== 'lo') throw new Error(`The lab's network namespace should only have loopback, it has: ${links.join(', ')}`);
      const company = (await lab.request('company.start', options)) as { passwords: Record<string, string>; turnSecret: string; browserArgs: string[] };
      const web = (await lab.request('web.start', { browserArgs: company.browserArgs })) as { wsUrl: string };
      return { lab, wsUrl: web.wsUrl, passwords: company.passwords, turnSecret: company.turnSecret };
    } catch (error) {
      await lab.stop();
      throw error;
    }
  }

  /** The lab's process id: it lives in the lab's network namespace (`nsenter -t <pid> -n ...`). */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The SIP lab has no process.');
    return this.child.pid;
  }

  request(op: string, ...args: unknown[]): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error('The SIP lab is not running.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  onPageEvent(listener: (event: PageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  openPage(name: string, path: string): Promise<unknown> {
    return this.request('page.open', name, path);
  }

  /** `runBeforeUnload`: closed as a person closes a tab (beforeunload, pagehide and unload run first). */
  closePage(name: string, options: { runBeforeUnload?: boolean } = {}): Promise<unknown> {
    return this.request('page.close', name, options);
  }

  /** The contact addresses Kamailio's registrar holds for `aor` (user@domain), now. */
  registrarContacts(aor: string): Promise<string[]> {
    return this.request('kamailio.contacts', aor) as Promise<string[]>;
  }

  /** Calls `window.lab[method](...args)` in the page and returns its (JSON) result. */
  call<T = unknown>(page: string, method: string, ...args: unknown[]): Promise<T> {
    return this.request('page.call', page, method, args) as Promise<T>;
  }

  killKamailio(): Promise<unknown> {
    return this.request('kamailio.kill');
  }

  startKamailio(): Promise<unknown> {
    return this.request('kamailio.start');
  }

  kamailioLog(): Promise<string[]> {
    return this.request('kamailio.log') as Promise<string[]>;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    await this.request('lab.stop').catch(() => {});
    this.child.disconnect();
    await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
    if (!this.exited && this.child.pid) process.kill(this.child.pid, 'SIGKILL');
  }
}
