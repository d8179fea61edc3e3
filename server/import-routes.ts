/**
 * Upload API for imports: `POST /api/v1/imports?filename=NAME[&mapping=NAME]` with the file as
 * the body answers with the same report as `xinfang import`. Only a user holding
 * `imports.write` may import (a session, or that user's API token as a bearer token); the body
 * is read only after that is checked. Mappings are named, not uploaded: `mapping=ottawa-311`
 * is examples/ottawa-311/mapping.json, or a file NAME.json in $XINFANG_MAPPINGS_DIR.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { importFiles } from '../analytics/import/importer.js';
import { loadMapping, MappingError } from '../analytics/import/mapping.js';
import { loadPetitionerKeys } from '../analytics/import/pseudonym.js';
import { formatOf, ImportFileError } from '../analytics/import/readers.js';
import { hierarchyFor } from '../analytics/import/run.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { PROJECT_ROOT } from './config.js';
import { HttpError } from './http-error.js';
import { actorOf } from './workflow-routes.js';

export interface ImportRouteDeps {
  store: AnalyticsStore;
  audit: Auditor;
  env?: NodeJS.ProcessEnv;
}

const query = z
  .object({
    filename: z.string().regex(/^[^/\\]{1,200}$/, 'a file name without a path').refine((n) => formatOf(n) !== null, 'ends in .csv, .tsv, .jsonl, .parquet, .arrow or .xlsx'),
    mapping: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'a mapping name').optional(),
  })
  .strict();

export function importRoutes(api: Api, deps: ImportRouteDeps): void {
  const { store, audit } = deps;
  const env = deps.env ?? process.env;
  api.add(
    {
      method: 'post',
      path: '/imports',
      summary: 'Import an uploaded file (the body) with an optional named mapping: the same report as `xinfang import`',
      access: 'imports.write',
      scope: 'none',
      query,
      rawBody: 'application/octet-stream',
      maxBody: env.XINFANG_IMPORT_MAX_BYTES ?? '256mb',
      expensive: true,
    },
    async ({ req, query: q, principal }) => {
      // A file brings rows of any region it holds, so it is for the jurisdiction as a whole:
      // imports.write is held only by administrators (domain/roles.ts), who are region-scoped,
      // and no region check is made beyond refusing an organ's user.
      if (principal.organCode) {
        throw new HttpError(403, `your jurisdiction is organ ${principal.organCode}: imports are for the whole jurisdiction`, 'outside_jurisdiction');
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!body.length) throw new HttpError(400, 'the request body is empty: send the file as the body', undefined, '(body)');
      const dir = mkdtempSync(join(tmpdir(), 'xinfang-upload-'));
      const path = join(dir, `upload${q.filename.slice(q.filename.lastIndexOf('.'))}`);
      try {
        let mapping;
        if (q.mapping) {
          const candidates = [
            ...(env.XINFANG_MAPPINGS_DIR ? [join(env.XINFANG_MAPPINGS_DIR, `${q.mapping}.json`)] : []),
            join(PROJECT_ROOT, 'examples', q.mapping, 'mapping.json'),
          ];
          const file = candidates.find((c) => existsSync(c));
          if (!file) throw new HttpError(400, `no mapping named ${q.mapping}`, undefined, 'mapping');
          mapping = loadMapping(file);
        }
        writeFileSync(path, body);
        const report = await importFiles(store, {
          sources: [{ path, name: q.filename }],
          hierarchy: hierarchyFor(mapping),
          keys: loadPetitionerKeys(env.XINFANG_DATA_DIR ?? join(PROJECT_ROOT, '.data'), env),
          ...(mapping ? { mapping } : {}),
          actor: actorOf(principal),
        });
        await audit.record(req, principal, { action: 'import.upload', outcome: 'ok', status: 200, objectIds: [report.batchId], detail: { filename: q.filename, mapping: q.mapping ?? null } });
        return report;
      } catch (error) {
        if (error instanceof ImportFileError || error instanceof MappingError) {
          // The readers name the file they read: the upload's own name, not the server's temporary path.
          const problem = error.message.replaceAll(path, q.filename);
          await audit.record(req, principal, { action: 'import.upload', outcome: 'failed', status: 400, detail: { filename: q.filename, mapping: q.mapping ?? null, problem } });
          throw new HttpError(400, `${problem} (nothing was imported)`);
        }
        throw error;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
