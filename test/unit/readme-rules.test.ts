/**
 * The README's rules tables ("The rules enforced, article by article") against the packs and the
 * tests: every article a pack rule cites is in a row of its document's table, and every test a
 * row names exists under that name, so the table cannot fall behind a pack or a renamed test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyLibrary } from '../../rules/library.js';
import type { PolicyPack } from '../../rules/pack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TESTS = join(ROOT, 'test');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const library = loadPolicyLibrary({ packDirs: [join(ROOT, 'rules/packs')], jurisdictionFiles: [join(ROOT, 'rules/jurisdictions.json')] });
const SECTION = '### The rules enforced, article by article';

const DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
/** 一 to 九十九 as the seeds write them (十, 十二, 二十, 四十六). */
function chineseNumber(text: string): number {
  const match = /^(?:([一二三四五六七八九])?(十))?([一二三四五六七八九])?$/.exec(text);
  if (!text || !match) throw new Error(`not a Chinese number from 1 to 99: ${text}`);
  const [, tens, ten, units] = match;
  return (ten ? (tens ? DIGITS[tens]! : 1) * 10 : 0) + (units ? DIGITS[units]! : 0);
}

/**
 * A pack's article as the README cites it: 第二十条第三款 → 20(3), 第十一条第一款第（二）项 →
 * 11(1)(2), 第四十四条第（一）项 → 44(1), 第四章 → ch. 4; 第四十四条至第四十六条 → 44, 45, 46.
 */
function citationsOfArticle(article: string): string[] {
  const chapter = /^第(.+)章$/.exec(article);
  if (chapter) return [`ch. ${chineseNumber(chapter[1]!)}`];
  const range = /^第(.+)条至第(.+)条$/.exec(article);
  if (range) {
    const [from, to] = [chineseNumber(range[1]!), chineseNumber(range[2]!)];
    return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
  }
  const single = /^第(.+?)条(?:第(.+?)款)?(?:第（(.+?)）项)?$/.exec(article);
  if (!single) throw new Error(`an article this test cannot read: ${article}`);
  const [, number, paragraph, item] = single;
  return [`${chineseNumber(number!)}${paragraph ? `(${chineseNumber(paragraph)})` : ''}${item ? `(${chineseNumber(item)})` : ''}`];
}

/** The citations of a README article cell: "art. 44(1)-(3)" → 44(1), 44(2), 44(3); "arts. 21-24" → 21 … 24; "ch. 4" → ch. 4. */
function citationsOfCell(cell: string): Set<string> {
  const found = new Set<string>();
  const rest = cell.replace(/ch\. (\d+)/g, (_, n: string) => {
    found.add(`ch. ${n}`);
    return ' ';
  });
  for (const [, number, parts, end] of rest.matchAll(/(\d+)((?:\(\d+\))*)(?:-(\(\d+\)|\d+))?/g)) {
    const base = `${number}${parts}`;
    found.add(base);
    if (!end) continue;
    const levels = [...parts!.matchAll(/\((\d+)\)/g)].map((m) => Number(m[1]));
    const prefix = `${number}${levels.slice(0, -1).map((l) => `(${l})`).join('')}`;
    const [from, to] = end.startsWith('(') ? [levels.at(-1)!, Number(end.slice(1, -1))] : [Number(number), Number(end)];
    for (let n = from; n <= to; n++) found.add(end.startsWith('(') ? `${prefix}(${n})` : String(n));
  }
  return found;
}

/** Every rule of a pack version that cites an article, by its path in the pack. */
function rulesOf(pack: PolicyPack): { path: string; article: string }[] {
  const rules: { path: string; article: string | null }[] = [
    ...Object.entries(pack.clocks).map(([id, r]) => ({ path: `clocks.${id}`, article: r.source.article })),
    ...Object.entries(pack.duties).map(([id, r]) => ({ path: `duties.${id}`, article: r.source.article })),
    ...Object.entries(pack.routing).map(([id, r]) => ({ path: `routing.${id}`, article: r.source.article })),
    ...Object.entries(pack.thresholds).map(([id, r]) => ({ path: `thresholds.${id}`, article: r.source.article })),
    ...Object.entries(pack.responsibility).map(([id, r]) => ({ path: `responsibility.${id}`, article: r.source.article })),
    ...Object.entries(pack.accountability?.steps ?? {}).map(([id, r]) => ({ path: `accountability.steps.${id}`, article: r.source.article })),
    ...Object.entries(pack.accountability?.grounds ?? {}).map(([id, r]) => ({ path: `accountability.grounds.${id}`, article: r.source.article })),
    ...(pack.accountability?.combinations ?? []).map((r, i) => ({ path: `accountability.combinations.${i}`, article: r.source.article })),
  ];
  return rules.flatMap((r) => (r.article === null ? [] : [{ path: r.path, article: r.article }]));
}

interface Row {
  line: number;
  cells: string[];
}
interface Table {
  heading: string;
  rows: Row[];
}

/** The tables of the README's rules section, each under its #### heading, header and rule lines left out. */
function rulesTables(readme: string): Table[] {
  const lines = readme.split('\n');
  const start = lines.indexOf(SECTION);
  if (start < 0) throw new Error(`the README has no section "${SECTION}"`);
  const tables: Table[] = [];
  for (let i = start + 1; i < lines.length && !/^#{1,3} /.test(lines[i]!); i++) {
    const line = lines[i]!;
    if (line.startsWith('#### ')) tables.push({ heading: line, rows: [] });
    // A table's header is the line above its |---| line.
    else if (line.startsWith('|') && !line.startsWith('|---') && !lines[i + 1]?.startsWith('|---') && tables.length) {
      tables.at(-1)!.rows.push({ line: i + 1, cells: line.split('|').slice(1, -1).map((c) => c.trim()) });
    }
  }
  return tables;
}

/** The pack rules whose article no row of the pack's table cites, as "pack: path (article)". */
function articlesMissing(readme: string, packs: ReadonlyMap<string, readonly PolicyPack[]>): string[] {
  const tables = rulesTables(readme);
  const missing: string[] = [];
  for (const [id, versions] of packs) {
    const table = tables.find((t) => t.heading.includes(`\`${id}\``));
    if (!table) {
      missing.push(`${id}: no table under a heading naming \`${id}\``);
      continue;
    }
    const cited = table.rows.map((r) => citationsOfCell(r.cells[0] ?? ''));
    for (const pack of versions) {
      for (const rule of rulesOf(pack)) {
        const wanted = citationsOfArticle(rule.article);
        if (!wanted.every((c) => cited.some((row) => row.has(c)))) missing.push(`${id}@${pack.version}: ${rule.path} (${rule.article} = ${wanted.join(', ')})`);
      }
    }
  }
  return missing;
}

const titleCache = new Map<string, string[]>();
/** The names of a test file's describe and it blocks, as written. */
function titlesOf(file: string): string[] {
  let titles = titleCache.get(file);
  if (!titles) {
    const source = readFileSync(file, 'utf8');
    const call = /\b(?:describe|it|test)(?:\.(?:each|skip|only|sequential|concurrent)(?:\([\s\S]*?\))?)?\(\s*(['"`])((?:\\.|(?!\1).)*?)\1/g;
    titles = [...source.matchAll(call)].map((m) => m[2]!.replace(/\\(.)/g, '$1'));
    titleCache.set(file, titles);
  }
  return titles;
}

/** Each test a row names that is not in its file, or a row that names none and does not say *none*. */
function testsMissing(readme: string, testsDir: string): string[] {
  const problems: string[] = [];
  for (const table of rulesTables(readme)) {
    for (const row of table.rows) {
      const cell = row.cells.at(-1) ?? '';
      let file: string | null = null;
      let named = 0;
      for (const [, path, title] of cell.matchAll(/`([^`]+\.test\.ts)`|"([^"]+)"/g)) {
        if (path) {
          file = join(testsDir, path);
          if (!existsSync(file)) problems.push(`README line ${row.line}: no test file ${path}`);
          continue;
        }
        if (!file) {
          problems.push(`README line ${row.line}: "${title}" names no file before it`);
          continue;
        }
        if (!existsSync(file)) continue;
        named++;
        const prefix = title!.endsWith('…') ? title!.slice(0, -1) : null;
        const found = titlesOf(file).some((t) => (prefix === null ? t === title : t.startsWith(prefix)));
        if (!found) problems.push(`README line ${row.line}: ${file.slice(testsDir.length + 1)} has no test "${title}"`);
      }
      if (!named && !cell.includes('*none*')) problems.push(`README line ${row.line}: names no test and does not say *none*`);
    }
  }
  return problems;
}

describe("the README's rules tables", () => {
  it('cite every article a pack rule cites, in the table of its pack', () => {
    expect(articlesMissing(README, library.packs)).toEqual([]);
  });

  it('name only tests that exist, each in the file named before it', () => {
    expect(testsMissing(README, TESTS)).toEqual([]);
  });

  it('read the articles as the seeds write them', () => {
    expect(citationsOfArticle('第二十条第三款')).toEqual(['20(3)']);
    expect(citationsOfArticle('第十一条第一款第（二）项')).toEqual(['11(1)(2)']);
    expect(citationsOfArticle('第十二条第（十三）项')).toEqual(['12(13)']);
    expect(citationsOfArticle('第四十四条至第四十六条')).toEqual(['44', '45', '46']);
    expect(citationsOfArticle('第四章')).toEqual(['ch. 4']);
    expect([...citationsOfCell('art. 19(1)(1)-(3); arts. 21-23, ch. 4 (2005 art. 33)')].sort()).toEqual(
      ['19(1)(1)', '19(1)(2)', '19(1)(3)', '21', '22', '23', 'ch. 4', '2005', '33'].sort(),
    );
  });

  it('are caught falling behind: a row taken out, an article renumbered, a test renamed', () => {
    const row = README.split('\n').find((l) => l.startsWith('| art. 23 |'))!;
    expect(articlesMissing(README.replace(`${row}\n`, ''), library.packs)).toEqual(['regulations-2022@2022.3: clocks.notify (第二十三条 = 23)']);
    const [pack] = library.packs.get('beijing-2017')!;
    const renumbered = { ...pack!, duties: { ...pack!.duties, extra: { ...pack!.duties['caseOwnership']!, source: { article: '第九条' } } } };
    expect(articlesMissing(README, new Map([['beijing-2017', [renumbered]]]))).toEqual(['beijing-2017@2017.2: duties.extra (第九条 = 9)']);
    const renamed = README.replace('"refuses the city, names the article, and lets the district record the repeat"', '"refuses the city"');
    expect(testsMissing(renamed, TESTS)).toEqual([expect.stringMatching(/integration\/intake-rules\.test\.ts has no test "refuses the city"$/)]);
  });
});
