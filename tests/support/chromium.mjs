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

/**
 * Playwright disables ThirdPartyStoragePartitioning in the --disable-features switch it passes
 * (playwright-core's chromiumSwitches.ts), so a plugin frame would share storage, locks and
 * channels with its origin's top-level pages, unlike in Chrome. Chromium reads only the last
 * --disable-features switch: this one, Playwright's list (1.65) without that entry, comes after
 * Playwright's and wins. The e2e tabs tests check that partitioning is on.
 */
export const PARTITIONED_FEATURES =
  '--disable-features=' +
  [
    'AvoidUnnecessaryBeforeUnloadCheckSync',
    'DestroyProfileOnBrowserClose',
    'HttpsUpgrades',
    'HttpsFirstBalancedModeAutoEnable',
    'LensOverlay',
    'MediaRouter',
    'PaintHolding',
    'AvoidCorsURLLoaderRestartOnRedirect',
    'TcpPortRandomizationWin',
    'OptimizationHints',
    'NetworkTimeServiceQuerying',
    'AimEnabled',
    'PreconnectToSearch',
  ].join(',');

/**
 * Chromium's Preferences for a fresh profile that allows third-party cookies (`cookie_controls_mode`
 * 0, as Chrome's regular windows): without it the plugin iframe, a third party under Front, is
 * denied every storage API (localStorage and navigator.locks throw SecurityError). Write it to
 * `<profile dir>/Default/Preferences` before launching; CDP's Network.setCookieControls does not
 * lift the block on third-party storage.
 */
export const THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES = JSON.stringify({ profile: { cookie_controls_mode: 0 } });
