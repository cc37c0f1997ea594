import type { BrowserContext } from 'playwright-core';

export declare const PARTITIONED_FEATURES: string;
export declare function launchProfile(): Promise<BrowserContext>;
