import { useDialer } from './dialerContext';
import { describeAudioQuality } from './words';

/** Call quality as the line measures it, when it does. */
export function AudioQuality() {
  const stats = useDialer((s) => s.context.audioStats);
  if (!stats) return null;
  const quality = describeAudioQuality(stats);
  return (
    <p className="sp-quality" data-quality={quality.toLowerCase()}>
      <span className="sp-quality__dot" aria-hidden="true" />
      Call quality: {quality} <span className="sp-muted">(MOS {stats.mos.toFixed(1)})</span>
    </p>
  );
}
