/**
 * The HTML template of a report, laid out for A4 as GB/T 9704-2012 lays out an official
 * document: margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right, so the text area is
 * 156 × 225 mm, holding 22 lines of 28 characters at 三号 (16 pt); the title in a song face at
 * 二号 (22 pt), the body in a fangsong face, 一、 headings in hei, （一） in kai. Every text of
 * the document is escaped; the charts are ECharts' own SVG, whose text it escapes.
 */
import { chartSvg } from './charts.js';
import type { Block, ReportDocument } from './document.js';

export const PAGE = { size: 'A4', marginMm: { top: 37, bottom: 35, left: 28, right: 26 }, lines: 22, charsPerLine: 28 } as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The faces by name: the fonts official documents name first (on a reader's machine that has
 * them), then the free faces of Debian's texlive-lang-chinese (Fandol) and fonts-noto-cjk.
 * The PDF renderer overrides these with the embedded Fandol files (pdf.ts).
 */
const FACES = {
  song: `"方正小标宋简体", "小标宋", "FandolSong", "宋体", "SimSun", "Noto Serif CJK SC", serif`,
  fang: `"仿宋_GB2312", "仿宋", "FangSong", "FandolFang", "Noto Serif CJK SC", serif`,
  hei: `"黑体", "SimHei", "FandolHei", "Noto Sans CJK SC", sans-serif`,
  kai: `"楷体_GB2312", "楷体", "KaiTi", "FandolKai", "AR PL UKai CN", serif`,
};

const { top, bottom, left, right } = PAGE.marginMm;
const textWidth = 210 - left - right;
const textHeight = 297 - top - bottom;

const STYLE = `
:root { --song: ${FACES.song}; --fang: ${FACES.fang}; --hei: ${FACES.hei}; --kai: ${FACES.kai}; }
@page { size: A4; margin: ${top}mm ${right}mm ${bottom}mm ${left}mm; }
html { background: #fff; color: #000; }
body { margin: 0 auto; max-width: ${textWidth}mm; font-family: var(--fang); font-size: 16pt;
  /* 22 lines in the ${textHeight} mm text area, 28 characters in its ${textWidth} mm width. */
  line-height: calc(${textHeight}mm / ${PAGE.lines}); letter-spacing: calc(${textWidth}mm / ${PAGE.charsPerLine} - 16pt); }
h1.title { font-family: var(--song); font-size: 22pt; font-weight: bold; text-align: center; line-height: 1.5; margin: 0 0 0.5em; letter-spacing: 0; }
p.subtitle { text-align: center; font-family: var(--kai); margin: 0 0 1em; }
h2, h3, h4, h5 { font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; break-after: avoid; }
h2 { font-family: var(--hei); }
h3 { font-family: var(--kai); }
h4 { font-family: var(--fang); font-weight: bold; }
h5 { font-family: var(--fang); }
p { margin: 0; text-indent: 2em; text-align: justify; }
figure { margin: 0.5em 0; break-inside: avoid; text-align: center; }
figure svg { max-width: 100%; height: auto; }
figcaption, caption { font-family: var(--hei); font-size: 12pt; line-height: 1.6; letter-spacing: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 12pt; line-height: 1.5; letter-spacing: 0; }
th, td { border: 0.5pt solid #000; padding: 0 0.3em; text-align: center; }
td:first-child { text-align: left; }
tr { break-inside: avoid; }
section.appendix { break-before: page; }
section.appendix h2.appendix-title { text-indent: 0; }
section.appendix table { font-size: 9pt; }
@media screen { body { padding: 2em 0; } }
`;

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${escapeHtml(b.number)}${escapeHtml(b.text)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'table':
      return `<table><caption>${escapeHtml(b.caption)}</caption><thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'chart':
      return `<figure>${chartSvg(b.chart)}<figcaption>${escapeHtml(b.caption)}</figcaption></figure>`;
  }
}

/** The whole report as one HTML page; `extraStyle` lets the PDF renderer embed its fonts. */
export function reportHtml(doc: ReportDocument, extraStyle = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title>
<meta name="generator" content="Xinfang Watch ${escapeHtml(doc.meta.template)}">
<style>${STYLE}${extraStyle}</style></head>
<body>
<h1 class="title">${escapeHtml(doc.title)}</h1>
<p class="subtitle">${escapeHtml(doc.subtitle)}</p>
<main>${doc.blocks.map(block).join('\n')}</main>
<section class="appendix"><h2 class="appendix-title">附件：数据来源与口径说明</h2>${doc.appendix.map(block).join('\n')}</section>
</body></html>
`;
}
