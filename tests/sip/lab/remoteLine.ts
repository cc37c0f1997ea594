/**
 * The SIP line running in the lab's agent page, seen from Node as a {@link Line}: commands go to the
 * page (`lab.run`), a refused command comes back as the same {@link LineError}, and the line's
 * events come back through the lab's page events. Lets the shared contract suite and the flow tests
 * drive the real adapter in Chromium as if it were local.
 */
import { LineError, type Line, type LineCapabilities, type LineErrorCode, type TransferTarget } from '../../../src/telephony/line';
import type { LineEvent } from '../../../src/telephony/protocol';
import type { RegistrationState } from '../../../src/telephony/sip';
import type { Lab } from './lab';

type RunResult = { ok: true; sentAt: number } | { ok: false; code: LineErrorCode | 'unknown'; message: string };

/** A line event as the page delivered it, with the page's clock. */
export interface TimedEvent {
  readonly event: LineEvent;
  readonly at: number;
}

export class RemoteLine implements Line {
  readonly kind = 'sip' as const;
  private readonly listeners = new Set<(event: LineEvent) => void>();
  private disposed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stopListening: () => void;
  /** Every event the page's line emitted, in order, with the page's clock. */
  readonly timeline: TimedEvent[] = [];
  /** Every registration state the page's line reported, in order. */
  readonly registrations: { state: RegistrationState; at: number }[] = [];
  /** When the page started the last command (page clock, ms since the epoch). */
  lastSentAt = 0;

  constructor(
    private readonly lab: Lab,
    private readonly page: string,
    readonly capabilities: LineCapabilities,
  ) {
    this.stopListening = lab.onPageEvent(({ page: from, data }) => {
      if (from !== page || typeof data !== 'object' || data === null) return;
      const message = data as { kind?: string; event?: LineEvent; state?: RegistrationState; at?: number };
      if (message.kind === 'registration' && message.state) this.registrations.push({ state: message.state, at: message.at ?? 0 });
      if (message.kind !== 'line' || !message.event || this.disposed) return;
      this.timeline.push({ event: message.event, at: message.at ?? 0 });
      for (const listener of [...this.listeners]) {
        if (this.listeners.has(listener)) listener(message.event);
      }
    });
  }

  /** Creates the line in the page and waits until it is registered. */
  static async create(lab: Lab, page: string, account: object, options: object = {}, timeoutMs = 15_000): Promise<RemoteLine> {
    await lab.call(page, 'create', account, options);
    const capabilities = await lab.call<LineCapabilities>(page, 'capabilities');
    const line = new RemoteLine(lab, page, capabilities);
    await line.waitForRegistration('registered', timeoutMs);
    return line;
  }

  async registration(): Promise<RegistrationState> {
    return this.lab.call<RegistrationState>(this.page, 'registration');
  }

  async waitForRegistration(status: RegistrationState['status'], timeoutMs = 15_000): Promise<RegistrationState> {
    const started = Date.now();
    for (;;) {
      const state = await this.registration();
      if (state.status === status) return state;
      if (Date.now() - started > timeoutMs) throw new Error(`The line stayed ${state.status} (${state.reason ?? ''}) instead of ${status}.`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  subscribe(listener: (event: LineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private run(method: string, ...args: unknown[]): Promise<void> {
    // One command after the other, as a local caller awaiting each would see them.
    const result = this.chain.then(() => this.lab.call<RunResult>(this.page, 'run', method, args));
    this.chain = result.catch(() => {});
    return result.then((outcome) => {
      if (outcome.ok) {
        this.lastSentAt = outcome.sentAt;
        return;
      }
      if (outcome.code === 'unknown') throw new Error(outcome.message);
      throw new LineError(outcome.code, outcome.message);
    });
  }

  dial(callId: string, to: string) {
    return this.run('dial', callId, to);
  }
  answer(callId: string) {
    return this.run('answer', callId);
  }
  decline(callId: string) {
    return this.run('decline', callId);
  }
  hangUp(callId: string) {
    return this.run('hangUp', callId);
  }
  hold(callId: string) {
    return this.run('hold', callId);
  }
  resume(callId: string) {
    return this.run('resume', callId);
  }
  mute(callId: string) {
    return this.run('mute', callId);
  }
  unmute(callId: string) {
    return this.run('unmute', callId);
  }
  sendDigits(callId: string, digits: string) {
    return this.run('sendDigits', callId, digits);
  }
  startWarmTransfer(callId: string, target: TransferTarget) {
    return this.run('startWarmTransfer', callId, target);
  }
  blindTransfer(callId: string, target: TransferTarget) {
    return this.run('blindTransfer', callId, target);
  }
  conference(callId: string) {
    return this.run('conference', callId);
  }
  swap(callId: string) {
    return this.run('swap', callId);
  }
  merge(callId: string) {
    return this.run('merge', callId);
  }
  cancelTransfer(callId: string) {
    return this.run('cancelTransfer', callId);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    const done = this.chain.then(() => this.lab.call(this.page, 'dispose'));
    this.chain = done.catch(() => {});
    this.stopListening();
  }

  /** Resolves once every command sent so far (dispose included) reached the page. */
  async settled(): Promise<void> {
    await this.chain;
  }
}
