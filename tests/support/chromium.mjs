// How every browser test and benchmark starts Debian's Chromium on this kind of machine (never a
// downloaded browser). Plain JavaScript so the .mjs runners and benchmarks share it with the tests.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  // Without these, Chromium keeps trying hosts this closed network refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Let the plugin play audio without a click, as Front's `allow="autoplay"` does for it.
  '--autoplay-policy=no-user-gesture-required',
  // A fake microphone, so a getUserMedia in the plugin never waits for a device or a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
