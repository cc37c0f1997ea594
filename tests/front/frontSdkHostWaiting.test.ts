import { describe, expect, it, vi } from 'vitest';
import type { HostContext } from '../../src/front/host';
import { createFrontSdkHost } from '../../src/front/sdk/frontSdkHost';

describe('the Front SDK host before Front answers', () => {
  it('outside an iframe says at once that the plugin is not in Front, to every new listener', () => {
    const host = createFrontSdkHost({ embedded: false });
    const first: HostContext[] = [];
    const second: HostContext[] = [];
    host.subscribe((context) => first.push(context));
    host.subscribe((context) => second.push(context));
    const expected = [{ kind: 'unavailable', reason: 'The plugin is not running inside Front.' }];
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
  });

  it('in an iframe waits for Front, then says Front did not answer; a listener that left hears nothing more', async () => {
    vi.useFakeTimers();
    try {
      const host = createFrontSdkHost({ embedded: true, timeoutMs: 50 });
      const staying: HostContext[] = [];
      const leaving: HostContext[] = [];
      host.subscribe((context) => staying.push(context));
      const stop = host.subscribe((context) => leaving.push(context));
      stop();
      await vi.advanceTimersByTimeAsync(50);
      expect(staying).toEqual([{ kind: 'waiting' }, { kind: 'unavailable', reason: 'Front did not answer.' }]);
      expect(leaving).toEqual([{ kind: 'waiting' }]);
      await expect(host.listTags()).rejects.toMatchObject({ code: 'not_in_front' });
    } finally {
      vi.useRealTimers();
    }
  });
});
