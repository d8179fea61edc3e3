/**
 * PDF: Debian's Chromium prints the report's HTML (playwright-core, as the browser tests drive
 * it). The fonts are the Fandol faces of Debian's texlive-lang-chinese (FandolSong for the
 * title, FandolFang for the body, FandolHei and FandolKai for headings), served to the page
 * from their files and embedded by Chromium as subsets; page numbers "— 1 —" in the footer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { ReportDocument } from './document.js';
import { PAGE, reportHtml } from './html.js';

export const CHROMIUM = process.env.XINFANG_CHROMIUM ?? '/usr/bin/chromium';
export const FANDOL_DIR = '/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol';
const FONTS = { song: 'FandolSong-Bold.otf', fang: 'FandolFang-Regular.otf', hei: 'FandolHei-Regular.otf', kai: 'FandolKai-Regular.otf' } as const;

/** The page's own origin: nothing of it is on a network, every request is answered here. */
const ORIGIN = 'http://report.invalid';

/** A report that cannot be printed for want of a tool on this machine: the operator's to install. */
export class RenderingUnavailable extends Error {}

function need(path: string, pkg: string): void {
  if (!existsSync(path)) throw new RenderingUnavailable(`${path} is missing: install Debian's ${pkg} to print PDF reports`);
}

const FONT_FACES = Object.entries(FONTS)
  .map(([face, file]) => `@font-face { font-family: "xw-${face}"; src: url("${ORIGIN}/fonts/${file}") format("opentype"); }`)
  .join('\n');
const EMBEDDED = `${FONT_FACES}\n:root { --song: "xw-song"; --fang: "xw-fang"; --hei: "xw-hei"; --kai: "xw-kai"; }`;

// GB/T 9704 §7.5: page numbers in 四号 (14 pt) Arabic numerals with a dash each side, under the text area.
const FOOTER = `<div style="width:100%;text-align:center;font-size:14pt;font-family:'Noto Serif CJK SC',serif;margin-top:7mm">— <span class="pageNumber"></span> —</div>`;

export async function reportPdf(doc: ReportDocument): Promise<Buffer> {
  need(CHROMIUM, 'chromium');
  for (const file of Object.values(FONTS)) need(`${FANDOL_DIR}/${file}`, 'texlive-lang-chinese');
  const html = reportHtml(doc, EMBEDDED);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      const font = url.origin === ORIGIN && url.pathname.startsWith('/fonts/') ? Object.values(FONTS).find((f) => url.pathname === `/fonts/${f}`) : undefined;
      if (url.origin === ORIGIN && url.pathname === '/') await route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
      else if (font) await route.fulfill({ contentType: 'font/otf', body: readFileSync(`${FANDOL_DIR}/${font}`) });
      else await route.abort();
    });
    await page.goto(`${ORIGIN}/`, { waitUntil: 'load' });
    await page.evaluate(async () => {
      await document.fonts.ready;
    });
    const m = PAGE.marginMm;
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: FOOTER,
      margin: { top: `${m.top}mm`, bottom: `${m.bottom}mm`, left: `${m.left}mm`, right: `${m.right}mm` },
      tagged: true,
    });
  } finally {
    await browser.close();
  }
}
