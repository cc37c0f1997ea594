import { describe, expect, it } from 'vitest';
import { profileSipInstanceId, SIP_INSTANCE_KEY } from '../../src/telephony/sip';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

const ids = (...list: string[]) => {
  let next = 0;
  return () => list[next++] ?? 'ran-out';
};

describe("the browser profile's SIP instance id", () => {
  it('is made once and kept: every line of the profile (any tab, any reload) registers as the same device', () => {
    const storage = memoryStorage();
    const make = ids('11111111-2222-4333-8444-555555555555', '66666666-7777-4888-9999-aaaaaaaaaaaa');
    const first = profileSipInstanceId(storage, make);
    expect(first).toBe('11111111-2222-4333-8444-555555555555');
    expect(storage.items.get(SIP_INSTANCE_KEY)).toBe(first);
    expect(profileSipInstanceId(storage, make)).toBe(first);
  });

  it('replaces a stored value that is not a UUID', () => {
    const storage = memoryStorage({ [SIP_INSTANCE_KEY]: 'not-a-uuid' });
    expect(profileSipInstanceId(storage, ids('11111111-2222-4333-8444-555555555555'))).toBe('11111111-2222-4333-8444-555555555555');
    expect(storage.items.get(SIP_INSTANCE_KEY)).toBe('11111111-2222-4333-8444-555555555555');
  });

  it('without usable storage, is a fresh UUID each time (the line still works)', () => {
    const denied = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    const made = profileSipInstanceId(denied);
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(profileSipInstanceId(undefined)).not.toBe(made);
  });
});
