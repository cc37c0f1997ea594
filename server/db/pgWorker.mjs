// The PostgreSQL connection of server/db/postgres.ts, on a worker thread (plain JavaScript: it
// runs without the TypeScript loader). It runs one query at a time, as the main thread asks over
// `port`, and wakes the main thread (blocked in Atomics.wait) through `signal` once the answer is
// posted. Only this file and postgres.ts know about `pg`.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, signal, connectionString, applicationName } = workerData;
// BIGINT (epoch ms, counts, serial ids) as numbers: all of ours stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

const reply = (message) => {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};

const describe = (error) => ({
  message: error instanceof Error ? error.message : String(error),
  code: typeof error?.code === 'string' ? error.code : null,
});

const client = new pg.Client({ connectionString, application_name: applicationName });
let broken = null;
client.on('error', (error) => {
  broken = describe(error);
});

try {
  await client.connect();
  reply({ ok: true });
} catch (error) {
  broken = describe(error);
  reply({ error: broken });
}

port.on('message', async ({ text, values, name, close }) => {
  if (close) {
    await client.end().catch(() => {});
    reply({ ok: true });
    port.close();
    return;
  }
  if (broken) return reply({ error: broken });
  try {
    const result = await client.query(name ? { name, text, values } : { text, values });
    reply({ rows: result.rows, rowCount: result.rowCount ?? 0 });
  } catch (error) {
    reply({ error: describe(error) });
  }
});
