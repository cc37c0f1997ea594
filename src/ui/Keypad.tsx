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

/**
 * A digit pad; what a digit does (append to the number, send a tone) is up to the screen. Each
 * key is named by what it shows ("2 ABC"), so speech input ("press 2 ABC") and screen readers
 * agree with the eye.
 */
export function Keypad({ onDigit, label }: { onDigit: (digit: string) => void; label: string }) {
  return (
    <div className="sp-keypad" role="group" aria-label={label}>
      {KEYS.map(({ digit, letters }) => (
        <button key={digit} type="button" className="sp-key" onClick={() => onDigit(digit)}>
          <span className="sp-key__digit">{digit}</span>
          {/* The leading space separates the words in the name; on screen a block's leading space shows nothing. */}
          <span className="sp-key__letters">{letters && ` ${letters}`}</span>
        </button>
      ))}
    </div>
  );
}
