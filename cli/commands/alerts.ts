import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang alerts [--status open|acknowledged|dismissed] [--level city|district|street] [--region CODE]
                      [--kind KIND] [--limit N] [--url ${DEFAULT_URL}]
       xinfang alerts scan [--week YYYY-MM-DD (a Monday)] [--weeks N]
       xinfang alerts acknowledge ALERT_ID [--reason TEXT]
       xinfang alerts dismiss ALERT_ID --reason TEXT
Early-warning alerts through the running system's API, as JSON. A region lists its own alerts
and those of everything under it. scan starts a scan (default: the last week that has ended).`;

export const command: Command = {
  summary: 'early-warning alerts: list, scan, acknowledge or dismiss (via the API), as JSON',
  usage,
  async run(args) {
    const [verb, ...rest] = args;
    if (verb === 'scan') {
      const { values } = parseOptions({ args: rest, strict: true, options: { week: { type: 'string' }, weeks: { type: 'string' }, url: { type: 'string' } } });
      if (values.weeks !== undefined && !/^\d+$/.test(values.weeks)) throw new UsageError(`--weeks must be a whole number, not "${values.weeks}"`);
      const body = { ...(values.week ? { week: values.week } : {}), ...(values.weeks ? { weeks: Number(values.weeks) } : {}) };
      return printOrFail(await callApi(values.url ?? DEFAULT_URL, '/api/v1/early-warning/scans', { method: 'POST', body }));
    }
    if (verb === 'acknowledge' || verb === 'dismiss') {
      const { values, positionals } = parseOptions({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: { reason: { type: 'string' }, url: { type: 'string' } },
      });
      const [id, ...extra] = positionals;
      if (!id || extra.length) throw new UsageError(`give one alert id: xinfang alerts ${verb} ALERT_ID${verb === 'dismiss' ? ' --reason TEXT' : ''}`);
      if (verb === 'dismiss' && !values.reason) throw new UsageError('--reason is required to dismiss an alert');
      const body = values.reason ? { reason: values.reason } : {};
      return printOrFail(await callApi(values.url ?? DEFAULT_URL, `/api/v1/early-warning/alerts/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body }));
    }
    const { values } = parseOptions({
      args,
      strict: true,
      options: {
        status: { type: 'string' },
        level: { type: 'string' },
        region: { type: 'string' },
        kind: { type: 'string' },
        limit: { type: 'string' },
        url: { type: 'string' },
      },
    });
    const query = new URLSearchParams(
      Object.entries({ status: values.status, level: values.level, region: values.region, kind: values.kind, limit: values.limit }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
    return printOrFail(await callApi(values.url ?? DEFAULT_URL, `/api/v1/early-warning/alerts${query.size ? `?${query}` : ''}`));
  },
};
