import type { DialerSettings } from '../machine';
import type { DialerActorInstance } from './createDialer';

const KEY = 'softphone.settings';

/** The agent's settings from storage; anything missing or malformed is left to the machine's defaults. */
export function loadSettings(storage: Pick<Storage, 'getItem'> | undefined): Partial<DialerSettings> {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { mandatoryTagging, callWaiting } = parsed as Record<string, unknown>;
    return {
      ...(typeof mandatoryTagging === 'boolean' ? { mandatoryTagging } : {}),
      ...(typeof callWaiting === 'boolean' ? { callWaiting } : {}),
    };
  } catch {
    // Storage can be blocked (private mode, sandboxed iframe) or hold garbage: start from defaults.
    return {};
  }
}

/** Saves the settings; a storage that refuses (quota, blocked) only costs persistence. */
export function saveSettings(storage: Pick<Storage, 'setItem'> | undefined, settings: DialerSettings): boolean {
  try {
    storage?.setItem(KEY, JSON.stringify({ mandatoryTagging: settings.mandatoryTagging, callWaiting: settings.callWaiting }));
    return storage !== undefined;
  } catch {
    return false;
  }
}

/** Saves the settings each time the agent changes them. Returns the unsubscribe function. */
export function persistSettings(
  actor: Pick<DialerActorInstance, 'subscribe' | 'getSnapshot'>,
  storage: Pick<Storage, 'setItem'> | undefined,
): () => void {
  let last = actor.getSnapshot().context.settings;
  const subscription = actor.subscribe((snapshot) => {
    const { settings } = snapshot.context;
    if (settings === last) return;
    last = settings;
    saveSettings(storage, settings);
  });
  return () => subscription.unsubscribe();
}
