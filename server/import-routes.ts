/**
 * Upload API for imports: `POST /api/imports?filename=NAME[&mapping=NAME]` with the file as the
 * body answers with the same report as `xinfang import`. Only an authorised user may import:
 * the request must carry `Authorization: Bearer $XINFANG_IMPORT_TOKEN`; with no token
 * configured, uploads are refused (until the project has users and roles). Mappings are named,
 * not uploaded: `mapping=ottawa-311` is examples/ottawa-311/mapping.json, or a file NAME.json in
 * $XINFANG_MAPPINGS_DIR.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import { importFiles } from '../analytics/import/importer.js';
import { loadMapping, MappingError } from '../analytics/import/mapping.js';
import { loadPetitionerKeys } from '../analytics/import/pseudonym.js';
import { formatOf, ImportFileError } from '../analytics/import/readers.js';
import { hierarchyFor } from '../analytics/import/run.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { PROJECT_ROOT } from './config.js';

export interface ImportRouteOptions {
  store: AnalyticsStore;
  env?: NodeJS.ProcessEnv;
}

const query = z
  .object({
    filename: z.string().regex(/^[^/\\]{1,200}$/, 'a file name without a path').refine((n) => formatOf(n) !== null, 'ends in .csv, .tsv, .jsonl, .parquet, .arrow or .xlsx'),
    mapping: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'a mapping name').optional(),
  })
  .strict();

export function importRoutes(options: ImportRouteOptions): Router {
  const env = options.env ?? process.env;
  const router = express.Router();
  router.post('/api/imports', express.raw({ type: () => true, limit: env.XINFANG_IMPORT_MAX_BYTES ?? '256mb' }), async (req, res) => {
    const token = env.XINFANG_IMPORT_TOKEN;
    if (!token) {
      res.status(403).json({ error: 'uploads are disabled: set XINFANG_IMPORT_TOKEN and send it as a bearer token' });
      return;
    }
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (!timingSafeEqual(digest(given), digest(token))) {
      res.status(401).json({ error: 'not authorised to import' });
      return;
    }
    const parsed = query.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid request', problems: parsed.error.issues.map((i) => ({ at: i.path.join('.'), problem: i.message })) });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!body.length) {
      res.status(400).json({ error: 'the request body is empty: send the file as the body' });
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-upload-'));
    try {
      let mapping;
      if (parsed.data.mapping) {
        const candidates = [
          ...(env.XINFANG_MAPPINGS_DIR ? [join(env.XINFANG_MAPPINGS_DIR, `${parsed.data.mapping}.json`)] : []),
          join(PROJECT_ROOT, 'examples', parsed.data.mapping, 'mapping.json'),
        ];
        const file = candidates.find((c) => existsSync(c));
        if (!file) {
          res.status(400).json({ error: `no mapping named ${parsed.data.mapping}` });
          return;
        }
        mapping = loadMapping(file);
      }
      const path = join(dir, `upload${parsed.data.filename.slice(parsed.data.filename.lastIndexOf('.'))}`);
      writeFileSync(path, body);
      const report = await importFiles(options.store, {
        sources: [{ path, name: parsed.data.filename }],
        hierarchy: hierarchyFor(mapping),
        keys: loadPetitionerKeys(env.XINFANG_DATA_DIR ?? join(PROJECT_ROOT, '.data'), env),
        ...(mapping ? { mapping } : {}),
        actor: 'api-upload',
      });
      res.status(200).json(report);
    } catch (error) {
      if (error instanceof ImportFileError || error instanceof MappingError) {
        res.status(400).json({ error: `${error.message} (nothing was imported)` });
        return;
      }
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return router;
}
