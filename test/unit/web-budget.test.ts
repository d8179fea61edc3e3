/**
 * The first page's JavaScript budget (issue 14): at most 250 KB gzipped for what a leader's
 * first view loads: the entry chunk with everything it imports statically, and the overview
 * page's chunk with its static imports (echarts/core and the charts the overview draws). A
 * page that pulled in every chart type, or a page's code that leaked into the entry, fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const BUDGET = 250 * 1024;
const manifestEntry = z.object({ file: z.string(), imports: z.array(z.string()).optional(), dynamicImports: z.array(z.string()).optional(), isEntry: z.boolean().optional(), src: z.string().optional() });
const manifestSchema = z.record(z.string(), manifestEntry);

let outDir: string;
let manifest: z.infer<typeof manifestSchema>;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'xinfang-web-budget-'));
  await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn', build: { outDir, emptyOutDir: true, manifest: 'manifest.json' } });
  manifest = manifestSchema.parse(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')));
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** A chunk's file and every chunk it imports statically, transitively. */
function staticClosure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(imported, seen);
  return seen;
}

const gzipped = (keys: Iterable<string>) => [...keys].reduce((sum, key) => sum + gzipSync(readFileSync(join(outDir, manifest[key]!.file))).length, 0);

describe('the dashboard bundle', () => {
  it('keeps the first view (entry and overview) within 250 KB of gzipped JavaScript', () => {
    const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry)?.[0];
    expect(entry, 'the build has an entry').toBeDefined();
    const overview = Object.keys(manifest).find((key) => key.endsWith('src/pages/overview.ts'));
    expect(overview, 'the overview is a chunk of its own').toBeDefined();
    expect(manifest[entry!]!.dynamicImports ?? []).toContain(overview);
    const first = new Set([...staticClosure(entry!), ...staticClosure(overview!)]);
    const size = gzipped(first);
    console.log(`first view: ${first.size} chunks, ${(size / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it('loads no chart library before login: the entry and its static imports hold no ECharts', () => {
    const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry)![0];
    const code = [...staticClosure(entry)].map((key) => readFileSync(join(outDir, manifest[key]!.file), 'utf8')).join('\n');
    // ECharts registers its renderers under these names; a login page has no use for them.
    expect(code).not.toContain('echarts');
    expect(gzipped(staticClosure(entry))).toBeLessThan(40 * 1024);
  });
});
