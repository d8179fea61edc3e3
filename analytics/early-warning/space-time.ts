/**
 * The same matter in several districts at once: a prospective space-time scan in the spirit of
 * Kulldorff et al. (2005), "A space-time permutation scan statistic for disease outbreak
 * detection", PLoS Medicine 2(3): e59. Per field (the matter), over a study period of
 * studyWeeks weeks ending with the week scanned:
 * - cylinders: a zone of districts × the last 1..maxWeeks weeks (prospective: every cylinder
 *   ends in the week scanned). Zones are every connected set of up to maxDistricts districts in
 *   the district adjacency graph (district-adjacency.json), our stand-in for the paper's
 *   circles around centroids: a matter spreading crosses shared borders;
 * - expected count of a cylinder from the marginals alone, μ = C_zone · C_weeks / C, so the
 *   test needs no population at risk and is not fooled by a district or a week that is busy
 *   for every matter;
 * - the Poisson generalised likelihood ratio of each cylinder; the most likely cluster has the
 *   largest;
 * - a Monte Carlo p-value: the weeks of the cases are permuted among them (both marginals
 *   kept), replicates times with a fixed seed, and p = (1 + #replicates whose largest ratio is
 *   at least the observed) / (replicates + 1).
 * An alert is raised when p ≤ alpha and the most likely cluster spans minDistricts or more
 * districts; a single-district cluster is left to the count detectors.
 */
import { readFileSync } from 'node:fs';
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import { mulberry32 } from '../generator/generate.js';
import type { AnalyticsStore } from '../store.js';
import type { AlertCandidate, SignalResult } from './candidate.js';
import type { ScanConfig } from './config.js';
import { UNRECORDED } from './series.js';
import { poissonLlr } from './stats.js';
import { weekEnd, weekIndexSql, weekStart } from './weeks.js';

type Config = ScanConfig['spaceTime'];

/** Counts of one matter: counts[d * weeks + w], w = 0 the oldest week of the study period. */
export interface SpaceTimeTable {
  districts: readonly string[];
  weeks: number;
  counts: Int32Array;
}

export interface ScanOptions {
  maxWeeks: number;
  replicates: number;
  seed: number;
}

export interface Cluster {
  /** Indices into table.districts. */
  zone: number[];
  /** Length of the cylinder in weeks, ending with the last week. */
  weeks: number;
  observed: number;
  expected: number;
  llr: number;
  p: number;
}

const adjacencyFile = z.object({
  source: z.string(),
  jurisdictions: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
});

/** The adjacency of a jurisdiction's districts, checked symmetric; empty when the file has none. */
export function districtAdjacency(jurisdiction: string): Map<string, Set<string>> {
  const file = adjacencyFile.parse(JSON.parse(readFileSync(new URL('./district-adjacency.json', import.meta.url), 'utf8')));
  const entries = file.jurisdictions[jurisdiction] ?? {};
  const graph = new Map(Object.entries(entries).map(([d, ns]) => [d, new Set(ns)]));
  for (const [d, ns] of graph) {
    for (const n of ns) {
      if (!graph.get(n)?.has(d)) throw new Error(`district-adjacency.json: ${d} lists ${n} as a neighbour but not the other way round`);
    }
  }
  return graph;
}

/** Every connected set of 1..maxSize districts, each once, as sorted index lists. */
export function connectedZones(districts: readonly string[], adjacency: Map<string, Set<string>>, maxSize: number): number[][] {
  const index = new Map(districts.map((d, i) => [d, i]));
  const neighbours = districts.map((d) => [...(adjacency.get(d) ?? [])].map((n) => index.get(n)).filter((i): i is number => i !== undefined));
  const seen = new Set<string>();
  const zones: number[][] = [];
  let frontier = districts.map((_, i) => [i]);
  for (let size = 1; size <= maxSize && frontier.length; size++) {
    const next: number[][] = [];
    for (const zone of frontier) {
      const key = zone.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      zones.push(zone);
      if (size === maxSize) continue;
      const members = new Set(zone);
      for (const m of zone) {
        for (const n of neighbours[m]!) {
          if (!members.has(n)) next.push([...zone, n].sort((a, b) => a - b));
        }
      }
    }
    frontier = next;
  }
  return zones;
}

/**
 * The most likely cluster of a table and its Monte Carlo p-value (see the file comment).
 * Returns null when the table has no case at all.
 */
export function spaceTimeScan(table: SpaceTimeTable, zones: readonly number[][], options: ScanOptions): Cluster | null {
  const { weeks } = table;
  const nd = table.districts.length;
  const maxWeeks = Math.min(options.maxWeeks, weeks - 1);
  const byDistrict = new Float64Array(nd);
  const byWeek = new Float64Array(weeks);
  let total = 0;
  for (let d = 0; d < nd; d++) {
    for (let w = 0; w < weeks; w++) {
      const n = table.counts[d * weeks + w]!;
      byDistrict[d]! += n;
      byWeek[w]! += n;
      total += n;
    }
  }
  if (total === 0 || maxWeeks < 1) return null;

  // Cases in the last L weeks, L = 1..maxWeeks, and each cylinder's expected count.
  const lastWeeks = new Float64Array(maxWeeks + 1);
  for (let l = 1; l <= maxWeeks; l++) lastWeeks[l] = lastWeeks[l - 1]! + byWeek[weeks - l]!;
  const zoneTotals = zones.map((z) => z.reduce((s, d) => s + byDistrict[d]!, 0));
  const expected = (zone: number, l: number) => (zoneTotals[zone]! * lastWeeks[l]!) / total;

  /** recent[(l-1) * nd + d]: cases of district d in the last l weeks. */
  // A replicate only needs to know whether some cylinder reaches the observed ratio: `enough` stops there.
  const best = (recent: Float64Array, enough = Infinity) => {
    let top = { zone: -1, l: 0, llr: 0, c: 0 };
    for (let zi = 0; zi < zones.length; zi++) {
      const z = zones[zi]!;
      for (let l = 1; l <= maxWeeks; l++) {
        let c = 0;
        for (const d of z) c += recent[(l - 1) * nd + d]!;
        const llr = poissonLlr(c, expected(zi, l), total);
        if (llr > top.llr) {
          top = { zone: zi, l, llr, c };
          if (llr >= enough) return top;
        }
      }
    }
    return top;
  };

  const observedRecent = new Float64Array(maxWeeks * nd);
  for (let d = 0; d < nd; d++) {
    let sum = 0;
    for (let l = 1; l <= maxWeeks; l++) {
      sum += table.counts[d * weeks + weeks - l]!;
      observedRecent[(l - 1) * nd + d] = sum;
    }
  }
  const observed = best(observedRecent);
  if (observed.zone < 0) return { zone: [], weeks: 0, observed: 0, expected: 0, llr: 0, p: 1 };

  // Permutation replicates: only which cases land in the last maxWeeks weeks, and in which of
  // them, matters to a cylinder. A partial Fisher-Yates shuffle of the cases' districts draws
  // those lastWeeks[maxWeeks] cases without replacement; the first byWeek[last] of the draw go
  // to the last week, the next to the week before, and so on. The array is left shuffled,
  // which keeps later draws uniform.
  const pool = new Int32Array(total);
  for (let d = 0, k = 0; d < nd; d++) for (let i = 0; i < byDistrict[d]!; i++) pool[k++] = d;
  const random = mulberry32(options.seed);
  const draws = lastWeeks[maxWeeks]!;
  const recent = new Float64Array(maxWeeks * nd);
  let atLeast = 0;
  for (let r = 0; r < options.replicates; r++) {
    recent.fill(0);
    let l = 1;
    let boundary = byWeek[weeks - 1]!;
    for (let i = 0; i < draws; i++) {
      const j = i + Math.floor(random() * (total - i));
      const d = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = d;
      while (i >= boundary) boundary += byWeek[weeks - ++l]!;
      recent[(l - 1) * nd + d]! += 1;
    }
    for (let ll = 2; ll <= maxWeeks; ll++) for (let d = 0; d < nd; d++) recent[(ll - 1) * nd + d]! += recent[(ll - 2) * nd + d]!;
    if (best(recent, observed.llr).llr >= observed.llr) atLeast++;
  }
  return {
    zone: zones[observed.zone]!,
    weeks: observed.l,
    observed: observed.c,
    expected: expected(observed.zone, observed.l),
    llr: observed.llr,
    p: (1 + atLeast) / (options.replicates + 1),
  };
}

/** A seed for one matter and week, so a re-run of a scan gives the same p-values. */
export function matterSeed(seed: number, field: string, week: number): number {
  let h = 2166136261 ^ seed;
  for (const ch of `${field}|${week}`) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  return h >>> 0;
}

const cellRow = z.object({ field: z.string(), district: z.string(), w: z.number(), n: z.number() });

export async function scanSpaceTime(
  store: AnalyticsStore,
  weeks: readonly number[],
  config: Config,
  context: { city: string; districts: readonly string[]; adjacency: Map<string, Set<string>>; dataStartWeek: number },
): Promise<SignalResult> {
  const started = Date.now();
  const from = weeks[0]! - config.studyWeeks + 1;
  const to = weeks.at(-1)!;
  const rows = await store.all(
    cellRow,
    `SELECT coalesce(field, '${UNRECORDED}') AS field, region_code AS district, ${weekIndexSql('received_date')} AS w, CAST(count(*) AS INTEGER) AS n
       FROM case_facts
      WHERE received_date BETWEEN $from::DATE AND $to::DATE AND list_contains($districts::VARCHAR[], region_code)
      GROUP BY ALL`,
    { from: weekStart(from), to: weekEnd(weekStart(to)), districts: listValue([...context.districts]) },
  );
  const districtIndex = new Map(context.districts.map((d, i) => [d, i]));
  const zones = connectedZones(context.districts, context.adjacency, config.maxDistricts);
  const byField = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byField.get(r.field);
    if (list) list.push(r);
    else byField.set(r.field, [r]);
  }

  const candidates: AlertCandidate[] = [];
  const skippedBy: Record<string, number> = {};
  let scanned = 0;
  let skipped = 0;
  const skip = (why: string) => {
    skipped++;
    skippedBy[why] = (skippedBy[why] ?? 0) + 1;
  };
  for (const [field, cells] of [...byField].sort(([a], [b]) => a.localeCompare(b))) {
    for (const week of weeks) {
      scanned++;
      const first = week - config.studyWeeks + 1;
      if (first < context.dataStartWeek) {
        skip('short');
        continue;
      }
      const table: SpaceTimeTable = { districts: context.districts, weeks: config.studyWeeks, counts: new Int32Array(context.districts.length * config.studyWeeks) };
      let total = 0;
      for (const c of cells) {
        if (c.w < first || c.w > week) continue;
        table.counts[districtIndex.get(c.district)! * config.studyWeeks + (c.w - first)] = c.n;
        total += c.n;
      }
      if (total < config.minCases) {
        skip('sparse');
        continue;
      }
      const cluster = spaceTimeScan(table, zones, { maxWeeks: config.maxWeeks, replicates: config.replicates, seed: matterSeed(config.seed, field, week) });
      if (!cluster || cluster.p > config.alpha || cluster.zone.length < config.minDistricts) continue;
      const districts = cluster.zone.map((d) => context.districts[d]!);
      const relativeRisk = cluster.observed / cluster.expected;
      const wide = districts.length >= config.severity.warningDistricts;
      const strong = relativeRisk >= config.severity.seriousRelativeRisk;
      candidates.push({
        kind: 'space-time-cluster',
        method: 'space-time-permutation-scan',
        level: 'city',
        regionCode: context.city,
        field,
        channel: null,
        petitionClass: null,
        subject: districts.join(','),
        week: weekStart(week),
        observed: cluster.observed,
        expected: cluster.expected,
        upperbound: null,
        pValue: cluster.p,
        baseSeverity: wide && strong ? 'serious' : wide || strong ? 'warning' : 'info',
        detail: {
          districts,
          weeks: cluster.weeks,
          from: weekStart(week - cluster.weeks + 1),
          relativeRisk,
          llr: cluster.llr,
          replicates: config.replicates,
          studyWeeks: config.studyWeeks,
          casesInStudy: total,
        },
      });
    }
  }
  const notes = context.adjacency.size ? [] : ['no district adjacency for this jurisdiction: zones are single districts, so no multi-district cluster can be found'];
  return { candidates, stats: { scanned, skipped, skippedBy, ms: Date.now() - started, ...(notes.length ? { notes } : {}) } };
}
