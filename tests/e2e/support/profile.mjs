// A browser profile whose plugin frames have storage, Web Locks and BroadcastChannel as in Chrome
// (see tests/e2e/support/harness.ts, `openTabs`). Plain JavaScript so the benchmarks
// (scripts/bench-tabs.mjs) open tabs the way the e2e tests do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS as BASE_ARGS, CHROMIUM_PATH } from '../../support/chromium.mjs';

const CHROMIUM_ARGS = [...BASE_ARGS, '--disable-quic'];

/**
 * Playwright disables ThirdPartyStoragePartitioning in the --disable-features switch it passes
 * (playwright-core's chromiumSwitches.ts), so a plugin frame would share storage, locks and
 * channels with its origin's top-level pages, unlike in Chrome. Chromium reads only the last
 * --disable-features switch: this one, Playwright's list (1.65) without that entry, comes after
 * Playwright's and wins. The tabs test checks that partitioning is on.
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
 * A fresh browser profile that allows third-party cookies (Chromium's `cookie_controls_mode` 0,
 * seeded in its Preferences before launch; CDP's Network.setCookieControls does not lift the
 * block on third-party storage). Its directory goes when the context closes.
 */
export async function launchProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-e2e-profile-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, PARTITIONED_FEATURES],
      viewport: { width: 1440, height: 900 },
    });
    // Chromium may still be writing as it exits: retried, and a leftover in /tmp is no failure.
    context.once('close', () => void rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => undefined));
    return context;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
