import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang duty record --organ CODE --duty ID --kind KIND --date YYYY-MM-DD --reference TEXT
                           [--participant NAME]... [--days N] [--url ${DEFAULT_URL}]
  KIND: meeting, report, inspection, letter, research, notice, reception
Records evidence that meets a periodic duty for the period containing --date, as the user of
the API token in XINFANG_TOKEN.`;

export const command: Command = {
  summary: 'record evidence for a periodic duty (duty record ...)',
  usage,
  async run(args) {
    const [verb, ...rest] = args;
    if (verb !== 'record') throw new UsageError(`unknown duty action "${verb ?? ''}"; try: xinfang duty record --help`);
    const { values } = parse(rest);
    for (const name of ['organ', 'duty', 'kind', 'date', 'reference'] as const) {
      if (!values[name]) throw new UsageError(`--${name} is required`);
    }
    if (values.days !== undefined && !/^\d+$/.test(values.days)) throw new UsageError(`--days must be a whole number, not "${values.days}"`);
    const body = {
      kind: values.kind,
      date: values.date,
      reference: values.reference,
      ...(values.participant ? { participants: values.participant } : {}),
      ...(values.days !== undefined ? { days: Number(values.days) } : {}),
    };
    const path = `/api/v1/duties/${encodeURIComponent(values.organ!)}/${encodeURIComponent(values.duty!)}/evidence`;
    return printOrFail(await callApi(values.url ?? DEFAULT_URL, path, { method: 'POST', body }));
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    options: {
      organ: { type: 'string' },
      duty: { type: 'string' },
      kind: { type: 'string' },
      date: { type: 'string' },
      reference: { type: 'string' },
      participant: { type: 'string', multiple: true },
      days: { type: 'string' },
      url: { type: 'string' },
    },
  });
}
