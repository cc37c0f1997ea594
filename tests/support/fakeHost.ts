import { HostError, type FrontHost, type FrontTag, type FrontTeammate, type HostContext, type HostNotification } from '../../src/front/host';

/**
 * A scriptable Front host: tests deliver contexts and read what the plugin asked Front to do.
 * `failNext(name)` makes the next call of that function reject like Front would.
 */
export class FakeHost implements FrontHost {
  readonly calls: { name: string; args: unknown[] }[] = [];
  tags: FrontTag[] = [
    { id: 'tag_sales', name: 'Sales' },
    { id: 'tag_support', name: 'Support' },
  ];
  teammates: FrontTeammate[] = [];
  private listeners = new Set<(context: HostContext) => void>();
  private latest: HostContext = { kind: 'waiting' };
  private failures = new Map<string, HostError>();
  private nextId = 1;

  subscribe(listener: (context: HostContext) => void): () => void {
    this.listeners.add(listener);
    listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  deliver(context: HostContext): void {
    this.latest = context;
    for (const listener of [...this.listeners]) listener(context);
  }

  failNext(name: string, error = new HostError('rejected', `${name} failed`)): void {
    this.failures.set(name, error);
  }

  callsOf(name: string): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  private async record<T>(name: string, args: unknown[], value: T): Promise<T> {
    this.calls.push({ name, args });
    const failure = this.failures.get(name);
    if (failure) {
      this.failures.delete(name);
      throw failure;
    }
    return value;
  }

  displayNotification(notification: HostNotification) { return this.record('displayNotification', [notification], `notification-${this.nextId++}`); }
  dismissNotification(id: string) { return this.record('dismissNotification', [id], undefined); }
  listTags() { return this.record('listTags', [], [...this.tags]); }
  listTeammates() { return this.record('listTeammates', [], [...this.teammates]); }
  tagConversation(tagIds: readonly string[]) { return this.record('tag', [tagIds], undefined); }
  openUrl(url: string) { return this.record('openUrl', [url], undefined); }
}

export const teammate = { id: 'tea_1', name: 'Ada Lovelace', email: 'ada@example.com' };

export function contextOf(partial: Partial<Extract<HostContext, { kind: 'context' }>> = {}): HostContext {
  return { kind: 'context', id: 'ctx-1', type: 'noConversation', teammate, conversation: null, callRequest: null, ...partial };
}
