import { describe, expect, it, vi } from 'vitest';

// A Front SDK whose tag list never ends: every page names a next one.
const sdk = vi.hoisted(() => ({ listTagsCalls: 0 }));
vi.mock('@frontapp/plugin-sdk', () => ({
  default: {
    contextUpdates: { subscribe: () => ({ unsubscribe() {} }) },
    listTags: async (token?: string) => {
      sdk.listTagsCalls += 1;
      await new Promise((r) => setTimeout(r, 0));
      const page = Number(token ?? 0);
      return { results: [{ id: `tag_${page}`, name: `Tag ${page}` }], nextPageToken: String(page + 1) };
    },
  },
}));

import { createFrontSdkHost } from '../../src/front/sdk/frontSdkHost';

describe('the Front SDK adapter', () => {
  // Proved: removing the MAX_PAGES bound of listAll (listTags) in src/front/sdk/frontSdkHost.ts makes this fail (2026-12-02).
  it('stops following tag pages after 50, however many Front says there are', async () => {
    const host = createFrontSdkHost({ embedded: true, timeoutMs: 60_000 });
    const tags = await Promise.race([host.listTags(), new Promise<'endless'>((r) => setTimeout(() => r('endless'), 2_000))]);
    expect(tags).not.toBe('endless');
    expect(tags).toHaveLength(50);
    expect(sdk.listTagsCalls).toBe(50);
  });
});
