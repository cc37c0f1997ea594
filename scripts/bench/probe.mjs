// Probes for scripts/bench-browser.mjs. Nothing here is imported by the app.
//
// PROBE_SCRIPT is a Playwright init script: it runs in every frame (the workspace page and the
// plugin iframe, out-of-process included) before the frame's own scripts, and records in
// window.__bench, as performance.timeOrigin + performance.now():
//   ctxPost   a context_update being posted on a MessagePort (just before postMessage)
//   ctxRecv   a context_update reaching the port's first 'message' listener
//   fnPost    a function_call being posted on a MessagePort: { t, name, id, type (args[0].type) }
//   fnRecv    a function_call reaching the port's first 'message' listener (same shape)
//   simRecv   a simulator message (ring the agent, ...) reaching the window: the probe's listener
//             is registered first, so it runs before the plugin's
//   pending   ids of function calls this frame posted that have no result/error yet
// and adds b.settle() for the workspace page (see below).
// Recording is a push into an array: a microsecond or so inside the timed interval.
export const PROBE_SCRIPT = `(() => {
  if (window.__bench) return;
  const now = () => performance.timeOrigin + performance.now();
  const b = { now, ctxPost: [], ctxRecv: [], fnPost: [], fnRecv: [], simRecv: [], pending: new Set(), kick: () => {} };
  Object.defineProperty(window, '__bench', { value: b, configurable: true });

  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (data, ...rest) {
    if (data && typeof data === 'object') {
      if (data.type === 'context_update') b.ctxPost.push(now());
      else if (data.type === 'function_call') {
        const t = now();
        b.pending.add(data.id);
        b.fnPost.push({ t, name: data.name, id: data.id, type: data.args && data.args[0] && data.args[0].type });
      }
    }
    const result = post.call(this, data, ...rest);
    b.kick();
    return result;
  };

  const seen = new WeakSet();
  const note = (event) => {
    if (seen.has(event)) return;
    seen.add(event);
    const t = now();
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'context_update') b.ctxRecv.push(t);
    else if (data.type === 'function_call') b.fnRecv.push({ t, name: data.name, id: data.id, type: data.args && data.args[0] && data.args[0].type });
    else if (data.type === 'function_result' || data.type === 'function_error') {
      b.pending.delete(data.id);
      queueMicrotask(() => b.kick());
    }
  };
  const wrappers = new WeakMap();
  const add = MessagePort.prototype.addEventListener;
  const remove = MessagePort.prototype.removeEventListener;
  MessagePort.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'message' || typeof listener !== 'function') return add.call(this, type, listener, options);
    let wrapped = wrappers.get(listener);
    if (!wrapped) {
      wrapped = function (event) {
        note(event);
        return listener.call(this, event);
      };
      wrappers.set(listener, wrapped);
    }
    return add.call(this, type, wrapped, options);
  };
  MessagePort.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, (typeof listener === 'function' && wrappers.get(listener)) || listener, options);
  };

  // Workspace page: empties its logs (its dev-mode React UI re-renders every logged call, and would
  // get slower run after run) and lets that render finish before the next message is posted.
  b.settle = async () => {
    if (window.__workspace) window.__workspace.clearLog();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && typeof data === 'object' && data.source === 'front-softphone-simulator') b.simRecv.push(now());
  });
})();`;

/**
 * Evaluated in the plugin frame once it says Ready (Playwright sends the source: self-contained).
 * Patches window.__softphone (src/main.tsx): line.dial and host.displayNotification record the
 * time, then call through; adds the per-run drivers to window.__bench. Returns a problem or null.
 */
export function frameSetup() {
  const b = window.__bench;
  const now = b.now;
  const sp = window.__softphone;
  if (!sp) return 'window.__softphone is missing in the plugin frame.';

  // Waiters woken by whatever records something (no polling in the measured frame).
  const waiters = new Set();
  b.kick = () => {
    for (const w of [...waiters]) {
      if (!w.predicate()) continue;
      waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve();
    }
  };
  const until = (predicate, what, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const w = { predicate, resolve, timer: 0 };
      w.timer = setTimeout(() => {
        if (!waiters.delete(w)) return;
        reject(new Error(`timed out waiting for ${what} (status "${status()}")`));
      }, timeoutMs);
      waiters.add(w);
    });

  const status = () => document.querySelector('[role="status"]')?.textContent?.trim() ?? '';

  // The status region saying "Calling ...", with the context_update that led to it.
  b.calling = [];
  let last = status();
  new MutationObserver(() => {
    const text = status();
    if (text === last) return;
    last = text;
    if (text.startsWith('Calling')) b.calling.push({ t: now(), recv: b.ctxRecv.at(-1) ?? null });
    b.kick();
  }).observe(document.body, { subtree: true, childList: true, characterData: true });

  b.dial = [];
  b.notify = [];
  const dial = sp.line.dial;
  sp.line.dial = function (...args) {
    b.dial.push({ t: now(), recv: b.ctxRecv.at(-1) ?? null });
    const result = dial.apply(this, args);
    b.kick();
    return result;
  };
  const displayNotification = sp.host.displayNotification;
  sp.host.displayNotification = function (notification, ...rest) {
    if (notification && notification.type === 'INCOMING_CALL') b.notify.push({ t: now(), recv: b.simRecv.at(-1) ?? null });
    const result = displayNotification.call(this, notification, ...rest);
    b.kick();
    return result;
  };
  sp.actor.subscribe(() => b.kick());
  const inState = (state) => sp.actor.getSnapshot().matches(state);
  const posted = (name, type) => b.fnPost.filter((c) => c.name === name && (type === undefined || c.type === type));

  /** Ends the call and waits until the plugin is Ready again. */
  const finish = async (endEvent, settled) => {
    sp.actor.send({ type: endEvent });
    await until(() => inState('ended'), 'ended');
    await until(settled, 'Front calls settled');
    sp.actor.send({ type: 'AGENT.RESET' });
    await until(() => inState('idle'), 'idle');
    await until(() => status() === 'Ready', 'Ready');
  };

  /** Run k of the Call-button scenario; the workspace has just posted the context. */
  b.callRun = async (k) => {
    await until(() => b.dial.length > k, 'line.dial');
    await until(() => b.calling.length > k, '"Calling ..."');
    await finish('AGENT.HANG_UP', () => b.pending.size === 0);
    // recv: the latest context_update when line.dial ran / when "Calling" showed.
    return { recv: b.dial[k].recv, dial: b.dial[k].t, callingRecv: b.calling[k].recv, calling: b.calling[k].t };
  };

  /** Run k of the incoming-call scenario; the workspace has just posted ringAgent. */
  b.incomingRun = async (k) => {
    await until(() => b.notify.length > k, 'host.displayNotification');
    await until(() => posted('displayNotification', 'INCOMING_CALL').length > k, 'the INCOMING_CALL function_call');
    // Declining dismisses the notification once Front has answered: wait for that too.
    await finish('AGENT.DECLINE', () => posted('dismissNotification').length > k && b.pending.size === 0);
    return { recv: b.notify[k].recv, notify: b.notify[k].t, fnPost: posted('displayNotification', 'INCOMING_CALL')[k].t };
  };
  return null;
}
