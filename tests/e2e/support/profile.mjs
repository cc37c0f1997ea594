// A browser profile whose plugin frames have storage, Web Locks and BroadcastChannel as in Chrome
// (see tests/e2e/support/harness.ts, `openTabs`). Plain JavaScript so the benchmarks
// (scripts/bench-tabs.mjs) open tabs the way the e2e tests do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS as BASE_ARGS, CHROMIUM_PATH, PARTITIONED_FEATURES, THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES } from '../../support/chromium.mjs';

const CHROMIUM_ARGS = [...BASE_ARGS, '--disable-quic'];

export { PARTITIONED_FEATURES };

/**
 * A fresh browser profile that allows third-party cookies (Chromium's `cookie_controls_mode` 0,
 * seeded in its Preferences before launch; CDP's Network.setCookieControls does not lift the
 * block on third-party storage). Its directory goes when the context closes.
 */
export async function launchProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-e2e-profile-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(join(dir, 'Default', 'Preferences'), THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES);
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
