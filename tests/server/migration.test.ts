// @vitest-environment node
/**
 * Migration 1 (ownership): a database written before calls had owners opens with every call owned by
 * the teammate it was logged for, still found by the id its plugin used, and its aliases namespaced.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aliasKey } from '../../server/calls/ownership';
import { openStore } from '../../server/db/database';
import { tempDir } from './support';

/** The tables the migration changes, as they were before it (server/db/database.ts at ebbc909). */
const BEFORE = `
CREATE TABLE calls (
  id TEXT PRIMARY KEY, direction TEXT NOT NULL, remote_number TEXT NOT NULL, remote_name TEXT, local_number TEXT,
  agent_email TEXT, agent_extension TEXT, parent_id TEXT, started_at INTEGER NOT NULL, front_state TEXT,
  pbx_call_id TEXT, pbx_linked INTEGER NOT NULL DEFAULT 0, channel_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE call_aliases (alias TEXT PRIMARY KEY, call_id TEXT NOT NULL);
INSERT INTO calls (id, direction, remote_number, agent_email, started_at, front_state, pbx_linked, created_at, updated_at)
  VALUES ('c-old', 'inbound', '+14155550100', 'ada@example.com', 1, 'connected', 0, 1, 1),
         ('pbx-7', 'inbound', '+14155550101', 'bob@example.com', 2, 'ringing', 1, 2, 2);
INSERT INTO call_aliases (alias, call_id) VALUES ('line-7', 'pbx-7');
`;

describe('opening a database from before ownership', () => {
  it('gives every call its owner and client id, namespaces aliases, and keeps Front ids', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'old.sqlite');
      const old = new Database(path);
      old.exec(BEFORE);
      old.close();

      const store = openStore(path);
      expect(store.callOf('ada@example.com', 'c-old')).toMatchObject({ id: 'c-old', owner: 'ada@example.com', clientRef: 'c-old' });
      expect(store.callOf('bob@example.com', 'c-old')).toBeNull();
      // A PBX-made call has no client id; the plugin that joined it finds it through its namespaced alias.
      expect(store.getCall('pbx-7')).toMatchObject({ owner: 'bob@example.com', clientRef: null });
      expect(store.callByAlias(aliasKey('bob@example.com', 'line-7'))?.id).toBe('pbx-7');
      expect(store.callByAlias('line-7')).toBeNull();
      store.setSetting('k', 'v', 3);
      store.close();

      // Opening it again changes nothing more.
      const again = openStore(path);
      expect(again.callByAlias(aliasKey('bob@example.com', 'line-7'))?.id).toBe('pbx-7');
      expect(again.getSetting('k')).toBe('v');
      again.close();
    } finally {
      dir.remove();
    }
  });
});
