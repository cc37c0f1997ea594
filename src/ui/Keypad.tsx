const KEYS: readonly { digit: string; letters: string }[] = [
  { digit: '1', letters: '' },
  { digit: '2', letters: 'ABC' },
  { digit: '3', letters: 'DEF' },
  { digit: '4', letters: 'GHI' },
  { digit: '5', letters: 'JKL' },
  { digit: '6', letters: 'MNO' },
  { digit: '7', letters: 'PQRS' },
  { digit: '8', letters: 'TUV' },
  { digit: '9', letters: 'WXYZ' },
  { digit: '*', letters: '' },
  { digit: '0', letters: '+' },
  { digit: '#', letters: '' },
];

/** A digit pad; what a digit does (append to the number, send a tone) is up to the screen. */
export function Keypad({ onDigit, label }: { onDigit: (digit: string) => void; label: string }) {
  return (
    <div className="sp-keypad" role="group" aria-label={label}>
      {KEYS.map(({ digit, letters }) => (
        <button key={digit} type="button" className="sp-key" aria-label={digit} onClick={() => onDigit(digit)}>
          <span className="sp-key__digit">{digit}</span>
          <span className="sp-key__letters" aria-hidden="true">
            {letters}
          </span>
        </button>
      ))}
    </div>
  );
}
