import { useId, useRef, useState } from 'react';
import { onEscape } from './keyboard';

/**
 * Panels a screen opens with a button (the keypad, the transfer form), one at a time: the button
 * gets aria-expanded / aria-controls, and Escape anywhere in the screen closes the open panel and
 * puts the focus back on its button.
 *
 *     const panels = usePanels<'keypad' | 'transfer'>();
 *     <section onKeyDown={panels.onKeyDown}>
 *       <button {...panels.button('keypad')}>Keypad</button>
 *       {panels.open === 'keypad' && <ToneKeypad id={panels.id('keypad')} />}
 */
export function usePanels<P extends string>() {
  const [open, setOpen] = useState<P | null>(null);
  const buttons = useRef(new Map<P, HTMLButtonElement | null>());
  const base = useId();
  const id = (panel: P) => `${base}${panel}`;
  return {
    open,
    id,
    button: (panel: P) => ({
      ref: (element: HTMLButtonElement | null) => {
        buttons.current.set(panel, element);
      },
      'aria-expanded': open === panel,
      'aria-controls': id(panel),
      onClick: () => setOpen((current) => (current === panel ? null : panel)),
    }),
    // A panel whose button is gone (the line no longer offers it) is not on screen: nothing to close.
    onKeyDown: onEscape(() => {
      const button = open === null ? null : buttons.current.get(open);
      if (!button?.isConnected) return false;
      button.focus();
      setOpen(null);
      return true;
    }),
  };
}
