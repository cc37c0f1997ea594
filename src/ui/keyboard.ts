import { useEffect } from 'react';
import type { AgentIntent, DialerSnapshot } from '../machine';
import { useDialerActor } from './dialerContext';

/**
 * The keyboard shortcuts, while the focus is in the plugin (keys typed in Front never reach it).
 * Alt + a letter, so they never clash with typing in a field; matched by physical key
 * (`KeyboardEvent.code`), so they work where Alt types a letter of its own (macOS Option).
 */
export const SHORTCUTS = {
  answer: 'Alt+A',
  decline: 'Alt+D',
  hangUp: 'Alt+H',
  mute: 'Alt+M',
  hold: 'Alt+P',
} as const;

export type Shortcut = keyof typeof SHORTCUTS;

/** A button's title and aria-keyshortcuts for its shortcut: `<button {...shortcut('mute')}>`. */
export function shortcut(name: Shortcut, label: string) {
  return { title: `${label} (${SHORTCUTS[name]})`, 'aria-keyshortcuts': SHORTCUTS[name] };
}

const BY_CODE: Record<string, readonly AgentIntent[]> = {
  KeyA: [{ type: 'AGENT.ANSWER' }],
  KeyD: [{ type: 'AGENT.DECLINE' }],
  KeyH: [{ type: 'AGENT.HANG_UP' }],
  KeyM: [{ type: 'AGENT.MUTE' }, { type: 'AGENT.UNMUTE' }],
  KeyP: [{ type: 'AGENT.HOLD' }, { type: 'AGENT.RESUME' }],
};

const TONE = /^[0-9*#]$/;

/** Where a typed digit belongs to the field, not to the call. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/** The intent a key press asks for now, if the machine accepts it: the same intents the buttons send. */
export function intentForKey(snapshot: Pick<DialerSnapshot, 'can'>, event: KeyboardEvent): AgentIntent | null {
  if (event.ctrlKey || event.metaKey) return null;
  if (event.altKey) {
    if (event.shiftKey) return null;
    return BY_CODE[event.code]?.find((intent) => snapshot.can(intent)) ?? null;
  }
  if (!TONE.test(event.key) || isTextEntry(event.target)) return null;
  const tone: AgentIntent = { type: 'AGENT.SEND_DIGITS', digits: event.key };
  return snapshot.can(tone) ? tone : null;
}

/** Listens to the plugin's document: the shortcuts above, and digits, * and # sent as tones in a call. */
export function useKeyboardShortcuts(): void {
  const actor = useDialerActor();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return;
      const intent = intentForKey(actor.getSnapshot(), event);
      if (!intent) return;
      event.preventDefault();
      actor.send(intent);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [actor]);
}

/** A keydown handler that runs `close` on Escape; `close` says whether it closed anything. */
export function onEscape(close: () => boolean) {
  return (event: { key: string; preventDefault(): void; stopPropagation(): void }) => {
    if (event.key !== 'Escape' || !close()) return;
    event.preventDefault();
    event.stopPropagation();
  };
}
