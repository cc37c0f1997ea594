/**
 * Tells which tone a stretch of audio carries, by content: the amplitude of one frequency (a
 * single-bin DFT, as Goertzel computes it) over the amplitude a pure tone with the stretch's RMS
 * would have. About 1 for a pure tone at that frequency (minus codec noise), near 0 for silence,
 * noise or another tone. Shared by the lab pages (what the browser hears) and the tests (what the
 * desk phone recorded).
 */
export function toneStrength(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  let re = 0;
  let im = 0;
  let energy = 0;
  const step = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    re += x * Math.cos(step * i);
    im -= x * Math.sin(step * i);
    energy += x * x;
  }
  if (energy === 0) return 0;
  const amplitude = (2 / n) * Math.hypot(re, im);
  const rms = Math.sqrt(energy / n);
  return amplitude / (rms * Math.SQRT2);
}

/** The RMS level of a stretch of audio (samples in -1..1). */
export function rms(samples: ArrayLike<number>): number {
  let energy = 0;
  for (let i = 0; i < samples.length; i++) energy += samples[i]! * samples[i]!;
  return samples.length === 0 ? 0 : Math.sqrt(energy / samples.length);
}
