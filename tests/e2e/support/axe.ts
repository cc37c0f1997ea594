/**
 * axe-core inside the plugin frame: the installed axe.min.js is injected into the frame (it runs
 * in the plugin's own document, cross-origin from the workspace) and `axe.run` checks what the
 * teammate sees now. Only critical and serious findings count, plus two rules issue 10 names:
 * `region` (content outside landmarks, "moderate" in axe) and `label-content-name-mismatch`
 * (experimental in axe, so off unless asked for).
 *
 *     expect(await axeFindings(frame)).toEqual([]);
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Rules that count whatever their impact. */
const ALWAYS = ['region', 'label-content-name-mismatch'];

/** One finding, short enough to read in a failed assertion: the rule, its impact, where. */
export interface AxeFinding {
  rule: string;
  impact: string | null;
  targets: string[];
  summary: string;
}

interface AxeResultLike {
  violations: { id: string; impact?: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

/** Runs axe-core in the plugin frame and returns the findings that count (empty when clean). */
export async function axeFindings(frame: Frame): Promise<AxeFinding[]> {
  const injected = await frame.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'undefined');
  if (!injected) await frame.evaluate(AXE_SOURCE);
  const result = (await frame.evaluate(
    `axe.run(document, { rules: { 'label-content-name-mismatch': { enabled: true } }, resultTypes: ['violations'] })`,
  )) as AxeResultLike;
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious' || ALWAYS.includes(v.id))
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? null,
      targets: v.nodes.map((n) => String(n.target.join(' '))),
      summary: v.nodes[0]?.failureSummary?.split('\n').slice(0, 2).join(' ') ?? '',
    }));
}
