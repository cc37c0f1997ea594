/** Line icons beside button labels, as Front draws them: 16 px, the label's colour, hidden from screen readers. */
const PATHS = {
  phone: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3M19 11a7 7 0 0 1-14 0M12 18v3',
  pause: 'M9 5v14M15 5v14',
  keypad: 'M6 5h.01M12 5h.01M18 5h.01M6 11h.01M12 11h.01M18 11h.01M6 17h.01M12 17h.01M18 17h.01',
  transfer: 'M4 12h15M13 6l6 6-6 6',
  settings: 'M4 7h10M18 7h2M4 17h2M10 17h10M16 5v4M8 15v4',
  back: 'M15 18l-6-6 6-6',
} as const;

export type IconName = keyof typeof PATHS | 'hangUp';

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className={`sp-icon sp-icon--${name}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name === 'hangUp' ? 'phone' : name]} />
    </svg>
  );
}
