/**
 * Composition root: opens the database, builds the Front connector, the outbox, the call service
 * and the routes, and listens.
 */
import type { AddressInfo } from 'node:net';
import { addAdminRoutes } from './admin/routes';
import { addPluginRoutes } from './api/pluginRoutes';
import { addTurnRoute } from './turn/route';
import { addContactRoutes } from './api/contactRoutes';
import { createContactLookup } from './front/contacts';
import { createPacer } from './outbox/pacer';
import { createCallService } from './calls/service';
import type { ServerConfig } from './config';
import { openDatabase, type Store } from './db/database';
import { addChannelRoutes } from './front/channelRoutes';
import { createFrontConnector, type FirstLegParentPolicy, type FrontConnector } from './front/connector';
import { FIRST_LEG_PARENT_FORM, type FirstLegParentForm } from './front/payloads';
import { createAuthFailures, createSharedAuthFailures } from './http/authFailures';
import { createHttpServer } from './http/router';
import { randomToken } from './http/signature';
import { createLogger, type Logger } from './log';
import { createOutbox } from './outbox/outbox';
import { createSharedPacer } from './outbox/sharedPacer';
import { addPbxRoutes } from './pbx/routes';

/** The password in DATABASE_URL, masked in logs like the other secrets. */
function databasePassword(url: string | null): string | null {
  if (!url) return null;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length > 0 ? password : null;
  } catch {
    return null;
  }
}

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

const FIRST_LEG_PARENT_SETTING = 'front.first_leg_parent_form';

/** The first-leg parent form, remembered in the database once Front has refused the other one. */
function firstLegParentSetting(store: Store, logger: Logger, now: () => number): FirstLegParentPolicy {
  const stored = store.getSetting(FIRST_LEG_PARENT_SETTING);
  let learnt = stored === 'self' || stored === 'omit';
  let form: FirstLegParentForm = learnt ? (stored as FirstLegParentForm) : FIRST_LEG_PARENT_FORM;
  return {
    form: () => form,
    learnt: () => learnt,
    learn(next) {
      form = next;
      learnt = true;
      store.setSetting(FIRST_LEG_PARENT_SETTING, next, now());
      logger.warn('Front refused parent_external_call_id in one form: first legs now use the other', { form: next });
    },
  };
}

export async function startServer(config: ServerConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger =
    deps.logger ??
    createLogger({
      level: config.logLevel,
      secrets: [config.frontAppSecret, config.adminToken, config.pbxWebhookSecret, config.turn?.secret, config.frontApiToken, databasePassword(config.databaseUrl)],
    });
  const now = deps.now ?? Date.now;
  const store = openDatabase({ databaseUrl: config.databaseUrl, databasePath: config.databasePath, synchronous: config.databaseSynchronous });

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
      firstLegParent: firstLegParentSetting(store, logger, now),
    });
  const tuning = config.outbox;
  // One pacer for every request to Front (the outbox's and the contact lookups share Front's budget).
  // Several instances on one database share it through the database; one process keeps it in memory.
  const pacer = store.shared
    ? createSharedPacer({
        store,
        perWindow: tuning.ratePerMinute,
        burst: tuning.burstPerSecond,
        windowMs: tuning.rateWindowMs,
        maxPauseMs: tuning.maxRetryAfterMs,
        inflightCapMs: tuning.requestTimeoutMs + 5_000,
        now,
      })
    : createPacer({ perWindow: tuning.ratePerMinute, burst: tuning.burstPerSecond, windowMs: tuning.rateWindowMs, maxPauseMs: tuning.maxRetryAfterMs, now });
  const outbox = createOutbox({ store, connector, logger, tuning, now, pacer });
  const contacts = config.frontApiToken
    ? createContactLookup({
        baseUrl: config.frontApiBaseUrl,
        apiToken: config.frontApiToken,
        requestTimeoutMs: Math.min(tuning.requestTimeoutMs, 5_000),
        pacer,
        logger,
        ttlMs: config.contactsCacheTtlMs,
      })
    : null;
  const calls = createCallService({
    store,
    logger,
    onQueued: (callId, seqs) => outbox.notify(callId, seqs),
    recordingUrlPrefixes: config.recordingUrlPrefixes,
    pbxMatchWindowMs: config.pbxMatchWindowMs,
    pbxEnabled: config.pbxWebhookSecret !== null,
    now,
  });

  const http = createHttpServer({
    logger,
    corsOrigins: config.corsOrigins,
    // Counted across the instances sharing a database; in memory otherwise.
    authFailures: store.shared
      ? createSharedAuthFailures({ counts: store, max: config.authFailureLimit, windowMs: config.authFailureWindowMs, now })
      : createAuthFailures({ max: config.authFailureLimit, windowMs: config.authFailureWindowMs, now }),
    trustProxy: config.trustProxy,
  });
  const router = http.router;
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
  addContactRoutes(router, { store, contacts });
  addTurnRoute(router, { store, turn: config.turn, logger, now });
  addPbxRoutes(router, { calls, secret: config.pbxWebhookSecret, maxAgeMs: config.signatureMaxAgeMs, now });
  addAdminRoutes(router, { store, outbox, adminToken: config.adminToken, now });

  let server: Awaited<ReturnType<typeof http.server>>;
  try {
    server = await http.server();
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
  logger.info('server listening', {
    url,
    database: config.databaseUrl ? 'postgresql (DATABASE_URL)' : config.databasePath,
    pbxWebhook: config.pbxWebhookSecret !== null,
    frontBudget: { perMinute: config.outbox.ratePerMinute, burstPerSecond: config.outbox.burstPerSecond },
  });

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
        await http.close().catch(() => undefined);
        await outbox.close();
        connector.close();
        store.close();
        logger.info('server stopped');
      })();
      return closing;
    },
  };
}
