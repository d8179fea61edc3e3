import { callApi, DEFAULT_URL, printOrFail } from '../api-client.js';
import { parseOptions, UsageError, type Command } from '../command.js';

export const command: Command = {
  summary: 'the duty calendar of a region for a year (due, met, late, missed), as JSON',
  usage: `usage: xinfang duties (--region CODE | --organ CODE) --year YYYY [--url ${DEFAULT_URL}]`,
  async run(args) {
    const { values } = parse(args);
    if (!values.year || Boolean(values.region) === Boolean(values.organ)) throw new UsageError('give --year and one of --region, --organ');
    const query = new URLSearchParams({ year: values.year, ...(values.region ? { region: values.region } : { organ: values.organ! }) });
    return printOrFail(await callApi(values.url ?? DEFAULT_URL, `/api/v1/duties?${query}`));
  },
};

function parse(args: string[]) {
  return parseOptions({ args, strict: true, options: { region: { type: 'string' }, organ: { type: 'string' }, year: { type: 'string' }, url: { type: 'string' } } });
}
