import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { countCases } from '../analytics/case-log.js';
import { loadDemoData } from '../analytics/demo-data.js';
import { recordBuiltInJurisdiction } from '../analytics/region-log.js';
import { AnalyticsStore } from '../analytics/store.js';
import type { CaseIntake, Field } from '../domain/case.js';
import { jurisdictionData, type JurisdictionData } from '../domain/jurisdiction-data.js';
import { caseRules } from '../rules/case-rules.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { EncryptionCodec, loadPayloadKeys } from '../workflows/payload-codec.js';
import { CASE_WORKFLOW_ID_PREFIX, petitionCaseWorkflow } from '../workflows/petition-case.js';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { createCaseWorker, WORKFLOWS_PATH } from '../workflows/worker.js';
import { loadIdentityKeyRing } from '../analytics/identity-vault.js';
import { createApp } from './app.js';
import { demoPassword, demoUsersOf, ensureDemoUsers } from './identity/demo-users.js';
import { PROJECT_ROOT, type AppConfig } from './config.js';
import { ensureDutySchedules } from './duty-routes.js';
import { ensureScanSchedule } from './early-warning-routes.js';
import { ensureReportSchedules } from './report-schedules.js';
import { ensureRollupsSchedule } from './rollups-schedule.js';
import { startEmbeddedTemporal, temporalClient, type EmbeddedTemporal } from './temporal.js';

const TEMPORAL_RETRY_MS = 30_000;

const quiet = () => undefined;
/** The workflow bundler's progress lines are noise at start; its errors are not. */
const quietBundler = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (message: string) => console.error(message) };

export interface RunningSystem {
  url: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  temporalClient: Client;
  /** False when the Temporal cluster did not answer at start: the system keeps trying. */
  temporalUp: boolean;
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
  let stopped = false;
  const stop = async () => {
    stopped = true;
    for (const step of cleanup.reverse()) await step();
  };
  try {
    // Fails at start, naming the pack and rule, if a pack or the jurisdiction is wrong.
    caseRules(config.jurisdiction, chinaDateOf(new Date()));
    // The jurisdiction's own regions, organs and time zone; likewise fails, naming the missing file, without them.
    const own = jurisdictionData(config.jurisdiction);
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
    const temporal = temporalClient(temporalAddress, config.temporal, codec);
    cleanup.push(() => temporal.close());

    // Figures need DuckDB only: the demo's past cases load whether or not Temporal answers.
    const demoLive = config.loadDemo && (await countCases(store)) === 0;
    if (demoLive) {
      const started = Date.now();
      const anchorMonth = chinaDateOf(new Date()).slice(0, 7);
      const loaded = await loadDemoData(store, { anchorMonth, jurisdiction: config.jurisdiction });
      log(`loaded demo data: ${loaded.cases} past cases (${loaded.events} events) in ${Date.now() - started} ms`);
    }

    /** The worker, the Schedules and the demo's open cases: what needs Temporal to answer. */
    const workflows = async (): Promise<void> => {
      const connection = await NativeConnection.connect(temporal.options);
      // Duty periods have a task queue and worker of their own: a first start opens hundreds of
      // them at once (every organ of every level), and a case registered meanwhile must not wait
      // in one queue behind them. One bundle serves both workers.
      const dutyTaskQueue = `${config.temporal.taskQueue}-duties`;
      const workers = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler })
        .then((workflowBundle) =>
          Promise.all(
            [config.temporal.taskQueue, dutyTaskQueue].map((taskQueue) =>
              createCaseWorker({ connection, namespace: config.temporal.namespace, taskQueue, store, workflowBundle, dataConverter: temporal.dataConverter }),
            ),
          ),
        )
        .catch(async (error: unknown) => {
          await connection.close();
          throw error;
        });
      const running = workers.map((w) => w.run());
      const stopWorker = async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.all(running.map((r) => r.catch(() => undefined)));
        await connection.close();
      };
      try {
        const duties = await ensureDutySchedules(temporal.client, {
          jurisdiction: config.jurisdiction,
          taskQueue: dutyTaskQueue,
          organs: own.organs.organs,
          timeZone: own.timeZone,
          today: chinaDateOf(new Date()),
        });
        log(`duties: ${duties.schedules} schedules created, ${duties.periodsOpened} current periods opened`);
        const scanSchedule = await ensureScanSchedule(temporal.client, config.temporal.taskQueue, own.timeZone);
        log(`early warning: weekly scan schedule ${scanSchedule ? 'created' : 'in place'} (Mondays 06:00 ${own.timeZone})`);
        const rollupsSchedule = await ensureRollupsSchedule(temporal.client, config.temporal.taskQueue);
        log(`metrics: rollups refresh schedule ${rollupsSchedule ? 'created' : 'in place'} (every 5 minutes)`);
        const reportSchedules = await ensureReportSchedules(temporal.client, config.temporal.taskQueue, config.jurisdiction);
        const notMade = reportSchedules.notMade.length ? `; none for ${reportSchedules.notMade.join(', ')}: ${config.jurisdiction} has no method for it` : '';
        log(`reports: ${reportSchedules.created} of ${reportSchedules.kinds.length} batch schedules created (${reportSchedules.kinds.join(', ')}${notMade}; see server/report-schedules.ts)`);
        if (demoLive) {
          const officerOrgans = demoUsersOf(own).flatMap((u) => (u.role === 'officer' && u.organCode ? [u.organCode] : []));
          log(`demo: ${await startDemoCases(temporal.client, config.temporal.taskQueue, own, officerOrgans)} open cases started`);
        }
      } catch (error) {
        // A second try must not find this one's worker still polling beside its own.
        await stopWorker();
        throw error;
      }
      cleanup.push(stopWorker);
    };
    let temporalUp = true;
    try {
      await workflows();
    } catch (error) {
      // The dev server this process started is answering or the start has failed already; a
      // cluster may be down for a while: serve what needs no workflow, and keep trying.
      if (!config.temporal.address) throw error;
      temporalUp = false;
      log(`Temporal at ${temporalAddress} is not answering (${(error as Error).message.split('\n')[0]}): figures are served, case actions answer 503; trying again every ${TEMPORAL_RETRY_MS / 1000} s`);
      const retry = setInterval(() => {
        if (stopped) return;
        void workflows().then(
          () => {
            clearInterval(retry);
            log(`Temporal at ${temporalAddress} answers again: the worker is running`);
          },
          () => undefined,
        );
      }, TEMPORAL_RETRY_MS);
      cleanup.push(() => clearInterval(retry));
    }

    let demo: RunningSystem['demo'] = null;
    if (config.loadDemo) {
      const password = demoPassword(config.dataDir, config.demoPassword);
      const users = await ensureDemoUsers(store, config.jurisdiction, password, demoUsersOf(own));
      demo = { users, password };
      log(`demo users (password ${config.demoPassword === undefined ? `${password}, kept in ${config.dataDir}/demo-password` : 'from XINFANG_DEMO_PASSWORD'}): ${users.join(', ')}`);
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
      temporalUp,
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

const DEMO_FIELDS: readonly Field[] = ['劳动社保', '城乡建设', '国土资源', '城乡建设', '教育', '生态环境'];

/**
 * Open cases received over the last three weeks in the jurisdiction's most populous districts,
 * so the routing clock is visible at work. The first few are already assigned, one to each demo
 * officer's organ (`officerOrgans`), in the organ's district and field, so each demo officer has a
 * live case to see; the oldest two are left to their routing clock.
 */
async function startDemoCases(client: Client, taskQueue: string, data: JurisdictionData, officerOrgans: readonly string[]): Promise<number> {
  const daysAgo = [1, 4, 8, 12, 17, 21];
  const districts = [...data.districts].sort((a, b) => (b.population10k ?? 0) - (a.population10k ?? 0));
  const office = data.organs.petitionOffice(data.city.code)!;
  let started = 0;
  for (const [i, days] of daysAgo.entries()) {
    const organ = i < daysAgo.length - 2 && officerOrgans[i] !== undefined ? data.organs.byCode(officerOrgans[i]) : undefined;
    const inDistrict = organ && organ.regionCode !== data.city.code ? organ.regionCode : districts[i % districts.length]!.code;
    const intake: CaseIntake = {
      caseId: `DEMO-LIVE-${i + 1}`,
      jurisdiction: data.jurisdiction,
      receivedAt: new Date(Date.now() - days * 86_400_000).toISOString(),
      channel: i % 2 ? 'online' : 'visit',
      regionCode: inDistrict,
      field: organ?.fields?.[0] ?? DEMO_FIELDS[i]!,
      collectiveSize: i === 2 ? 7 : 1,
      summary: 'demo case',
      ...(organ ? { organCode: organ.code } : {}),
    };
    try {
      await client.workflow.start(petitionCaseWorkflow, {
        workflowId: CASE_WORKFLOW_ID_PREFIX + intake.caseId,
        taskQueue,
        args: [{ intake, receivedBy: { organ: office.nameZh, kind: 'petition-office' } }],
      });
      started++;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return started;
}
