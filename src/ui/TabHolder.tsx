import type { ReadableStore } from '../store';
import { useStoreValue } from '../store/react';
import type { TabRole } from '../tabs';
import { useDialer } from './dialerContext';

/**
 * Says which Front tab holds a call in progress: closing or reloading that tab ends the call (the
 * page asks first). The only way the phone's behaviour differs between tabs.
 */
export function TabHolder({ role }: { role: ReadableStore<TabRole> | null }) {
  const owner = useStoreValue(role, (r) => r === 'owner', false);
  const inCall = useDialer((s) => s.hasTag('inCall'));
  if (!owner || !inCall) return null;
  return (
    <p className="sp-tab-holder" role="note">
      This tab holds the call
    </p>
  );
}
