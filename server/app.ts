/**
 * Composition root: opens the database, builds the Front connector, the outbox, the call service
 * and the routes, and listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addAdminRoutes } from './admin/routes';
import { addPluginRoutes } from './api/pluginRoutes';
import { addTurnRoute } from './turn/route';
import { createCallService } from './calls/service';
import type { ServerConfig } from './config';
import { openStore } from './db/database';
import { addChannelRoutes } from './front/channelRoutes';
import { createFrontConnector, type FrontConnector } from './front/connector';
import { corsFor } from './http/cors';
import { createRouter } from './http/router';
import { randomToken } from './http/signature';
import { createLogger, type Logger } from './log';
import { createOutbox } from './outbox/outbox';
import { addPbxRoutes } from './pbx/routes';

export interface RunningServer {
  /** Where the server listens, e.g. http://127.0.0.1:8787. */
  url: string;
  /** Stops taking requests, lets Front requests in flight finish (briefly), closes the database. */
  close(): Promise<void>;
}

export interface ServerDeps {
  logger?: Logger;
  connector?: FrontConnector;
  now?: () => number;
}

export async function startServer(config: ServerConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger =
    deps.logger ?? createLogger({ level: config.logLevel, secrets: [config.frontAppSecret, config.adminToken, config.pbxWebhookSecret, config.turn?.secret] });
  const now = deps.now ?? Date.now;
  const store = openStore(config.databasePath, { synchronous: config.databaseSynchronous });

  if (config.frontChannelId && !store.getChannel(config.frontChannelId)) {
    store.upsertChannel(config.frontChannelId, randomToken(18), now());
  }

  const connector =
    deps.connector ??
    createFrontConnector({
      baseUrl: config.frontApiBaseUrl,
      appUid: config.frontAppUid,
      appSecret: config.frontAppSecret,
      requestTimeoutMs: config.outbox.requestTimeoutMs,
      maxRecordingBytes: config.outbox.maxRecordingBytes,
    });
  const outbox = createOutbox({ store, connector, logger, tuning: config.outbox, now });
  const calls = createCallService({
    store,
    logger,
    onQueued: (callId, seqs) => outbox.notify(callId, seqs),
    recordingUrlPrefixes: config.recordingUrlPrefixes,
    pbxMatchWindowMs: config.pbxMatchWindowMs,
    pbxEnabled: config.pbxWebhookSecret !== null,
    now,
  });

  const cors = corsFor(config.corsOrigins);
  const router = createRouter({ logger, headersFor: cors.headersFor, before: cors.preflight });
  router.add('GET', '/healthz', () => ({ status: 200, body: { ok: true } }));

  let url = '';
  addChannelRoutes(router, {
    store,
    outbox,
    logger,
    appSecret: config.frontAppSecret,
    maxAgeMs: config.signatureMaxAgeMs,
    publicUrl: () => config.publicUrl ?? url,
    addresses: config.channelAddresses,
    now,
  });
  addPluginRoutes(router, { store, calls });
  addTurnRoute(router, { store, turn: config.turn, logger, now });
  addPbxRoutes(router, { calls, secret: config.pbxWebhookSecret, maxAgeMs: config.signatureMaxAgeMs, now });
  addAdminRoutes(router, { store, outbox, adminToken: config.adminToken, now });

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 20_000 }, (req, res) => router.handle(req, res));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  outbox.start();
  logger.info('server listening', { url, database: config.databasePath, pbxWebhook: config.pbxWebhookSecret !== null });

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Connections still busy after a moment are cut: their clients retry.
          setTimeout(() => server.closeAllConnections(), 3_000).unref();
        });
        await outbox.close();
        connector.close();
        store.close();
        logger.info('server stopped');
      })();
      return closing;
    },
  };
}
