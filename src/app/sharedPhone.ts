import type { CallLogStatusSource } from '../calllog/view';
import { createStore, type ReadableStore } from '../store';
import type { LineChoiceState, LineManager } from './lineManager';
import type { PhoneCommand, SharedPhone } from './startSoftphone';

/** What a tab shows of the line before the owner has said anything: the simulated line. */
export const LINE_BEFORE_OWNER: LineChoiceState = {
  kind: 'simulated',
  account: null,
  hasSavedPassword: false,
  registration: null,
  connecting: false,
  error: null,
  fieldErrors: {},
  devices: {},
  defaults: {},
};

/**
 * The line choice as every tab's settings see it: the owner's state (never a password), and
 * commands that run in the owner, wherever it is. A command no owner took is said in the form.
 */
export function lineChoiceView(
  shared: ReadableStore<SharedPhone>,
  command: (c: PhoneCommand) => Promise<void>,
): LineManager {
  let local: Partial<LineChoiceState> = {};
  const state = createStore<LineChoiceState>(shared.getState().line ?? LINE_BEFORE_OWNER);
  const refresh = () => state.setState({ ...(shared.getState().line ?? LINE_BEFORE_OWNER), ...local });
  const stop = shared.subscribe(() => {
    local = {};
    refresh();
  });
  const run = (c: PhoneCommand) =>
    command(c).catch((error: unknown) => {
      local = { connecting: false, error: `The phone did not answer: ${error instanceof Error ? error.message : String(error)}` };
      refresh();
    });
  return {
    getState: state.getState,
    subscribe: state.subscribe,
    connect: (account) => run({ type: 'PHONE.LINE_CONNECT', account }),
    disconnect: () => void run({ type: 'PHONE.LINE_DISCONNECT' }),
    setDevices: (devices) => run({ type: 'PHONE.LINE_DEVICES', devices }),
    setDefaults: (defaults) => void run({ type: 'PHONE.LINE_DEFAULTS', defaults }),
    stop,
  };
}

/** The call log's word on the call on screen, as the owner shares it: what every tab's ended screen says. */
export function sharedCallLogStatus(shared: ReadableStore<SharedPhone>): CallLogStatusSource {
  return {
    status: (callId) => {
      const current = shared.getState().callLog;
      return current?.callId === callId ? current.status : null;
    },
    subscribe: (listener) => shared.subscribe(() => listener()),
  };
}

