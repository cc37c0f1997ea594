/**
 * A throwaway PostgreSQL for the server tests: Debian's postgresql binaries (the newest version
 * under /usr/lib/postgresql; 15 on this machine), a cluster in a
 * temp dir owned by the `postgres` user (postgres refuses to run as root), listening only on a
 * unix socket in that dir (no TCP port to collide with), trust authentication. `stop()` stops
 * this cluster only (pg_ctl on its own data dir) and removes the dir.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = (() => {
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v) && existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest ? `/usr/lib/postgresql/${newest}/bin` : '/nonexistent';
  } catch {
    return '/nonexistent';
  }
})();

export interface TestPostgres {
  /** postgresql://postgres@/<db>?host=<socket dir>&port=<port> */
  url(database?: string): string;
  /** A fresh, empty database; its URL. */
  createDatabase(name: string): string;
  stop(): void;
}

export function postgresAvailable(): boolean {
  return existsSync(join(BIN, 'pg_ctl')) && existsSync('/usr/sbin/runuser') && process.getuid?.() === 0;
}

export function startPostgres(): TestPostgres {
  const dir = mkdtempSync(join(tmpdir(), 'front-calls-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const asPostgres = (command: string, args: string[]) =>
    execFileSync('/usr/sbin/runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'pipe', timeout: 60_000 });
  execFileSync('chown', ['postgres:postgres', dir]);
  asPostgres('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // A port number is still part of the socket's name: pick one unlikely to be in use in this dir.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  asPostgres('pg_ctl', [
    '-D',
    data,
    '-w',
    '-t',
    '60',
    '-l',
    join(dir, 'log'),
    '-o',
    `-c listen_addresses='' -k ${dir} -p ${port} -c fsync=off -c max_connections=50`,
    'start',
  ]);
  let stopped = false;
  const url = (database = 'postgres') => `postgresql://postgres@/${database}?host=${encodeURIComponent(dir)}&port=${port}`;
  return {
    url,
    createDatabase(name) {
      asPostgres('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', name]);
      return url(name);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
