/**
 * What the plugin's status region (role="status") has said, in order. Polling from the test
 * would miss a status that lasts a few hundred ms ("Calling ..."), so a MutationObserver inside
 * the plugin frame records every change.
 */
import type { Frame } from 'playwright-core';
import { expect } from 'vitest';

declare global {
  interface Window {
    __statusHistory?: string[];
  }
}

/** Starts recording in the plugin frame (again after a reload). Idempotent. */
export async function recordStatus(frame: Frame): Promise<void> {
  await frame.waitForSelector('[role="status"]', { state: 'attached' });
  await frame.evaluate(() => {
    if (window.__statusHistory) return;
    const history: string[] = [];
    window.__statusHistory = history;
    const read = () => document.querySelector('[role="status"]')?.textContent?.trim() ?? '';
    const note = () => {
      const text = read();
      if (history.at(-1) !== text) history.push(text);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export async function statusHistory(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => [...(window.__statusHistory ?? [])]);
}

/** How many times the plugin started dialling (said "Calling ..."). */
export async function dialCount(frame: Frame): Promise<number> {
  return (await statusHistory(frame)).filter((s) => s.startsWith('Calling')).length;
}

/** Waits until the status region has said something matching `expected` (now or since recording began). */
export async function waitForStatusSeen(frame: Frame, expected: RegExp, timeout = 10_000): Promise<void> {
  await expect.poll(() => statusHistory(frame), { timeout, interval: 50 }).toContainEqual(expect.stringMatching(expected));
}

/** Waits until the status region says something matching `expected` now. */
export async function waitForStatus(frame: Frame, expected: RegExp, timeout = 10_000): Promise<void> {
  await expect.poll(() => statusHistory(frame).then((h) => h.at(-1) ?? ''), { timeout, interval: 50 }).toMatch(expected);
}
