/**
 * Keeps malformed `context_update` messages away from the Plugin SDK.
 *
 * Why: the SDK (1.10) wraps every context in `new Proxy(context, ...)` inside the observable the
 * plugin subscribes to, and its proxy reads `context.functionArities[name]` on every property
 * access. A message without a context object makes that map throw, which errors the plugin's
 * subscription for good; one without functionArities makes every read of the context throw in
 * the plugin's own handler, which rxjs answers by unsubscribing it. Either way no later context
 * (no Call-button click) ever reaches the plugin. The SDK also replays the latest message to
 * every function call, so a bad one left in its buffer breaks notifications too.
 *
 * The SDK creates its MessageChannel while its module is evaluated (it subscribes at load to do
 * the handshake at once). So while the SDK loads, every MessageChannel created gets a first
 * listener on `port1` that stops a malformed `context_update` before any later listener (the
 * SDK's) sees it. Other messages, and other channels' traffic, pass untouched.
 */

/** Why a message on the SDK's port cannot be used, or null (well formed, or not a context update). */
export function contextUpdateProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as { type?: unknown; context?: unknown };
  if (message.type !== 'context_update') return null;
  const context = message.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    return 'Front sent a context update without a context object; it was ignored.';
  }
  const { id, type, functionArities } = context as { id?: unknown; type?: unknown; functionArities?: unknown };
  if (typeof functionArities !== 'object' || functionArities === null || Array.isArray(functionArities)) {
    return 'Front sent a context without functionArities; it was ignored.';
  }
  if (!((typeof id === 'string' && id !== '') || typeof id === 'number') || typeof type !== 'string') {
    return 'Front sent a context without an id or a type; it was ignored.';
  }
  return null;
}

/**
 * Runs `load` (the SDK's dynamic import) with every MessageChannel created until it settles
 * guarded: a malformed context update on `port1` is stopped and reported to `onMalformed`.
 * The global constructor is restored as soon as `load` settles.
 */
export async function loadGuarded<T>(
  load: () => Promise<T>,
  onMalformed: (problem: string) => void,
  scope: { MessageChannel?: typeof MessageChannel } = globalThis,
): Promise<T> {
  const Original = scope.MessageChannel;
  if (!Original) return load();
  const guard = (event: Event) => {
    const problem = contextUpdateProblem((event as MessageEvent).data);
    if (problem === null) return;
    event.stopImmediatePropagation();
    onMalformed(problem);
  };
  class GuardedMessageChannel extends Original {
    constructor() {
      super();
      this.port1.addEventListener('message', guard);
    }
  }
  scope.MessageChannel = GuardedMessageChannel;
  try {
    return await load();
  } finally {
    if (scope.MessageChannel === GuardedMessageChannel) scope.MessageChannel = Original;
  }
}
