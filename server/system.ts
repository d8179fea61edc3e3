import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { countCases } from '../analytics/case-log.js';
import { loadDemoData } from '../analytics/demo-data.js';
import { recordBuiltInJurisdiction } from '../analytics/region-log.js';
import { AnalyticsStore } from '../analytics/store.js';
import type { CaseIntake } from '../domain/case.js';
import { BEIJING_ORGANS } from '../domain/organs.js';
import { caseRules } from '../rules/case-rules.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { EncryptionCodec, loadPayloadKeys } from '../workflows/payload-codec.js';
import { CASE_WORKFLOW_ID_PREFIX, petitionCaseWorkflow } from '../workflows/petition-case.js';
import { createCaseWorker } from '../workflows/worker.js';
import { loadIdentityKeyRing } from '../analytics/identity-vault.js';
import { createApp } from './app.js';
import { demoPassword, ensureDemoUsers } from './identity/demo-users.js';
import { PROJECT_ROOT, type AppConfig } from './config.js';
import { ensureDutySchedules } from './duty-routes.js';
import { ensureScanSchedule } from './early-warning-routes.js';
import { ensureRollupsSchedule } from './rollups-schedule.js';
import { connectTemporal, startEmbeddedTemporal, type EmbeddedTemporal } from './temporal.js';

export interface RunningSystem {
  url: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  temporalClient: Client;
  /** The demo users and their password, when the system started with demo data. */
  demo: { users: string[]; password: string } | null;
  stop(): Promise<void>;
}

/**
 * The embedded deployment: one process owns the DuckDB file and runs both the case worker
 * (whose activities write the event log) and the web server (which reads it). Temporal is
 * the dev server this process starts, or the cluster TEMPORAL_ADDRESS names.
 */
export async function startSystem(config: AppConfig, log: (line: string) => void): Promise<RunningSystem> {
  const cleanup: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    // Fails at start, naming the pack and rule, if a pack or the jurisdiction is wrong.
    caseRules(config.jurisdiction, chinaDateOf(new Date()));
    // Likewise a malformed XINFANG_PAYLOAD_KEYS, before any Temporal server is started.
    const codec = new EncryptionCodec(loadPayloadKeys(config.dataDir));
    const store = await AnalyticsStore.open(config.duckdbPath);
    cleanup.push(() => store.close());
    await recordBuiltInJurisdiction(store, config.jurisdiction);

    let embedded: EmbeddedTemporal | null = null;
    if (!config.temporal.address) {
      log('starting the embedded Temporal dev server...');
      embedded = await startEmbeddedTemporal(config.temporal.dev, log);
      cleanup.push(() => embedded!.stop());
    }
    const temporalAddress = config.temporal.address ?? embedded!.address;
    const temporal = await connectTemporal(temporalAddress, config.temporal, codec);
    cleanup.push(() => temporal.close());

    const worker = await createCaseWorker({
      connection: temporal.worker,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      store,
      dataConverter: temporal.dataConverter,
    });
    const running = worker.run();
    cleanup.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const duties = await ensureDutySchedules(temporal.client, {
      jurisdiction: config.jurisdiction,
      taskQueue: config.temporal.taskQueue,
      organs: BEIJING_ORGANS,
      today: chinaDateOf(new Date()),
    });
    log(`duties: ${duties.schedules} schedules created, ${duties.periodsOpened} current periods opened`);
    const scanSchedule = await ensureScanSchedule(temporal.client, config.temporal.taskQueue);
    log(`early warning: weekly scan schedule ${scanSchedule ? 'created' : 'in place'} (Mondays 06:00 Asia/Shanghai)`);
    const rollupsSchedule = await ensureRollupsSchedule(temporal.client, config.temporal.taskQueue);
    log(`metrics: rollups refresh schedule ${rollupsSchedule ? 'created' : 'in place'} (every 5 minutes)`);

    if (config.loadDemo && (await countCases(store)) === 0) {
      const started = Date.now();
      const anchorMonth = chinaDateOf(new Date()).slice(0, 7);
      const loaded = await loadDemoData(store, { anchorMonth, jurisdiction: config.jurisdiction });
      const live = await startDemoCases(temporal.client, config.temporal.taskQueue, config.jurisdiction);
      log(`loaded demo data: ${loaded.cases} past cases (${loaded.events} events) and ${live} open cases in ${Date.now() - started} ms`);
    }

    let demo: RunningSystem['demo'] = null;
    if (config.loadDemo) {
      const password = demoPassword(config.dataDir);
      const users = await ensureDemoUsers(store, config.jurisdiction, password);
      demo = { users, password };
      log(`demo users (password ${process.env.XINFANG_DEMO_PASSWORD === undefined ? `${password}, kept in ${config.dataDir}/demo-password` : 'from XINFANG_DEMO_PASSWORD'}): ${users.join(', ')}`);
    }

    const app = createApp({
      store,
      temporal: temporal.client,
      taskQueue: config.temporal.taskQueue,
      jurisdiction: config.jurisdiction,
      webDir: `${PROJECT_ROOT}web/dist`,
      identityKeys: loadIdentityKeyRing(config.dataDir),
      sessions: config.sessions,
      trustProxy: config.trustProxy,
      oidc: config.oidc,
    });
    const server = await listen(app, config.port, config.host);
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${config.host}:${port}/`,
      temporalAddress,
      temporalUiUrl: embedded?.uiUrl ?? null,
      temporalClient: temporal.client,
      demo,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

const DEMO_ORGANS: Partial<Record<number, string>> = { 0: 'D110105', 4: 'BJ-JW' };

/** Open cases received over the last three weeks, so the routing clock is visible at work. */
async function startDemoCases(client: Client, taskQueue: string, jurisdiction: string): Promise<number> {
  const daysAgo = [1, 4, 8, 12, 17, 21];
  let started = 0;
  for (const [i, days] of daysAgo.entries()) {
    const intake: CaseIntake = {
      caseId: `DEMO-LIVE-${i + 1}`,
      jurisdiction,
      receivedAt: new Date(Date.now() - days * 86_400_000).toISOString(),
      channel: i % 2 ? 'online' : 'visit',
      regionCode: ['110105', '110108', '110106', '110112', '110114', '110115'][i]!,
      field: ['劳动社保', '城乡建设', '国土资源', '城乡建设', '教育', '生态环境'][i]!,
      collectiveSize: i === 2 ? 7 : 1,
      summary: 'demo case',
      // Two are already assigned to an organ of the registry, so the demo officers have a case to see.
      ...(DEMO_ORGANS[i] ? { organCode: DEMO_ORGANS[i] } : {}),
    };
    try {
      await client.workflow.start(petitionCaseWorkflow, {
        workflowId: CASE_WORKFLOW_ID_PREFIX + intake.caseId,
        taskQueue,
        args: [{ intake, receivedBy: { organ: '市信访办', kind: 'petition-office' } }],
      });
      started++;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return started;
}
