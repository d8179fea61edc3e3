import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportCases } from '../../analytics/export/export.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { importFiles } from '../../analytics/import/importer.js';
import { petitionerKeys } from '../../analytics/import/pseudonym.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const keys = petitionerKeys(Buffer.alloc(32, 9));

const snapshot = async (store: AnalyticsStore) => ({
  cases: await store.all(
    z.object({ h: z.string(), n: z.number() }),
    `SELECT md5(string_agg(concat_ws('|', case_id, received_at::VARCHAR, channel, region_code, street_code, field, petition_class,
                 collective_size, petitioner_id, repeat_petition, skip_level, organ_code), ',' ORDER BY case_id)) AS h, count(*)::INTEGER AS n FROM cases`,
  ),
  events: await store.all(
    z.object({ h: z.string(), n: z.number() }),
    `SELECT md5(string_agg(concat_ws('|', event_id, occurred_at::VARCHAR, actor, due_date, detail::VARCHAR), ',' ORDER BY event_id)) AS h,
            count(*)::INTEGER AS n FROM case_events`,
  ),
});

describe('export', () => {
  it.each(['parquet', 'csv'] as const)('writes %s that imports back to the same cases and events', async (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-export-'));
    dirs.push(dir);
    const source = await AnalyticsStore.open(':memory:');
    await loadDemoData(source, { anchorMonth: '2025-07', jurisdiction: 'beijing', months: 6, cases: 2000 });
    const result = await exportCases(source, format, dir, {});
    expect(result.cases).toBeGreaterThanOrEqual(2000);
    const target = await AnalyticsStore.open(':memory:');
    const report = await importFiles(target, { sources: result.files.map((path) => ({ path })), hierarchy: beijingRegions(), keys });
    expect(report.cases).toMatchObject({ read: result.cases, imported: result.cases, quarantined: 0 });
    expect(report.events).toMatchObject({ read: result.events, imported: result.events, quarantined: 0 });
    expect(await snapshot(target)).toEqual(await snapshot(source));
    source.close();
    target.close();
  });

  it('filters by date, region (district or its streets) and field, and never carries identities', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-export-'));
    dirs.push(dir);
    const store = await AnalyticsStore.open(':memory:');
    await loadDemoData(store, { anchorMonth: '2025-07', jurisdiction: 'beijing', months: 6, cases: 2000 });
    // An identity kept (encrypted) for one petitioner must not reach the export.
    await store.run(
      `INSERT INTO petitioner_identities (petitioner_id, key_id, iv, ciphertext, tag)
       SELECT petitioner_id, 'k', '\\x00'::BLOB, encode('张三'), '\\x00'::BLOB FROM cases LIMIT 1`,
    );
    const result = await exportCases(store, 'csv', dir, { from: '2025-03-01', to: '2025-03-31', region: '110105', field: '城乡建设' });
    const [expected] = await store.all(
      z.object({ n: z.number() }),
      `SELECT count(*)::INTEGER AS n FROM cases WHERE received_date BETWEEN '2025-03-01' AND '2025-03-31' AND region_code = '110105' AND field = '城乡建设'`,
    );
    expect(result.cases).toBe(expected!.n);
    expect(result.cases).toBeGreaterThan(0);
    const csv = readFileSync(result.files[0]!, 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'case_id,received_at,received_date,channel,region_code,street_code,field,petition_class,collective_size,summary,jurisdiction,petitioner_id,repeat_petition,skip_level,organ_code,origin',
    );
    expect(csv).not.toContain('张三');
    for (const line of csv.trim().split('\n').slice(1)) expect(line).toMatch(/,110105,110105\d{3},城乡建设,/);
    store.close();
  });
});
