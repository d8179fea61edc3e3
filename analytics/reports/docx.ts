/**
 * Word (.docx) with the `docx` package, laid out as the HTML is (GB/T 9704-2012): A4, margins
 * 37/35/28/26 mm, a document grid of 22 lines × 28 characters, the title in 宋体 at 二号, the
 * body in 仿宋 at 三号, 一、 headings in 黑体 and （一） in 楷体, named as Word names them (a
 * reader's Word has them; the fonts are not embedded), page numbers "— 1 —" in the footer.
 * Charts are PNG, rasterised from the same SVG the HTML shows.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  DocumentGridType,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { CHART_SIZE, chartPng } from './charts.js';
import type { Block, ReportDocument } from './document.js';
import { PAGE } from './html.js';

/** Word's names of the faces GB/T 9704 asks for. */
export const WORD_FONTS = { song: '宋体', fang: '仿宋', hei: '黑体', kai: '楷体' } as const;

const TWIPS_PER_MM = 1440 / 25.4;
const twips = (mm: number) => Math.round(mm * TWIPS_PER_MM);
/** Half-points: 三号 16 pt, 二号 22 pt, 四号 14 pt, 小四 12 pt, 小五 9 pt. */
const SIZE = { body: 32, title: 44, pageNumber: 28, table: 24, appendix: 18 } as const;

const { top, bottom, left, right } = PAGE.marginMm;
const TEXT_WIDTH_MM = 210 - left - right;
const TEXT_HEIGHT_MM = 297 - top - bottom;
/** The grid's line pitch (twips) and character spacing (4096ths of a point beyond the 16 pt face). */
const LINE_PITCH = Math.floor(twips(TEXT_HEIGHT_MM) / PAGE.lines);
const CHAR_SPACE = Math.round((((TEXT_WIDTH_MM / 25.4) * 72) / PAGE.charsPerLine - 16) * 4096);

const run = (text: string, font: string, size: number = SIZE.body, bold = false) => new TextRun({ text, font: { eastAsia: font, ascii: font, hAnsi: font }, size, bold });
const HEADING_FONT = { 1: WORD_FONTS.hei, 2: WORD_FONTS.kai, 3: WORD_FONTS.fang, 4: WORD_FONTS.fang } as const;
const HEADING_STYLE = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3, 4: HeadingLevel.HEADING_4 } as const;
const INDENT = { firstLine: 640 }; // two characters of 16 pt

function table(b: Extract<Block, { kind: 'table' }>, size: number): (Paragraph | Table)[] {
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  const cell = (text: string, bold = false) =>
    new TableCell({
      borders: { top: border, bottom: border, left: border, right: border },
      children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [run(text, bold ? WORD_FONTS.hei : WORD_FONTS.fang, size)] })],
    });
  return [
    new Paragraph({ alignment: AlignmentType.CENTER, children: [run(b.caption, WORD_FONTS.hei, SIZE.table)] }),
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [new TableRow({ tableHeader: true, children: b.head.map((h) => cell(h, true)) }), ...b.rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
    }),
  ];
}

function blocks(list: Block[], tableSize: number): (Paragraph | Table)[] {
  return list.flatMap((b): (Paragraph | Table)[] => {
    switch (b.kind) {
      case 'heading':
        return [new Paragraph({ heading: HEADING_STYLE[b.level], indent: INDENT, children: [run(`${b.number}${b.text}`, HEADING_FONT[b.level], SIZE.body, b.level === 3)] })];
      case 'paragraph':
        return [new Paragraph({ indent: INDENT, alignment: AlignmentType.JUSTIFIED, children: [run(b.text, WORD_FONTS.fang)] })];
      case 'table':
        return table(b, tableSize);
      case 'chart': {
        const widthPx = 560;
        return [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new ImageRun({ type: 'png', data: chartPng(b.chart), transformation: { width: widthPx, height: Math.round((widthPx * CHART_SIZE.height) / CHART_SIZE.width) } })],
          }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [run(b.caption, WORD_FONTS.hei, SIZE.table)] }),
        ];
      }
    }
  });
}

export async function reportDocx(doc: ReportDocument): Promise<Buffer> {
  const heading = (size: number) => ({ run: { size, color: '000000', bold: false }, paragraph: { spacing: { before: 0, after: 0 } } });
  const document = new Document({
    creator: 'Xinfang Watch',
    title: doc.title,
    description: doc.meta.template,
    styles: {
      default: {
        document: { run: { font: { eastAsia: WORD_FONTS.fang, ascii: WORD_FONTS.fang, hAnsi: WORD_FONTS.fang }, size: SIZE.body } },
        heading1: heading(SIZE.body),
        heading2: heading(SIZE.body),
        heading3: heading(SIZE.body),
        heading4: heading(SIZE.body),
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: twips(210), height: twips(297) },
            margin: { top: twips(top), bottom: twips(bottom), left: twips(left), right: twips(right), footer: twips(bottom - 7 - 10) },
          },
          grid: { type: DocumentGridType.LINES_AND_CHARS, linePitch: LINE_PITCH, charSpace: CHAR_SPACE },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: WORD_FONTS.song, size: SIZE.pageNumber })],
              }),
            ],
          }),
        },
        children: [
          new Paragraph({ alignment: AlignmentType.CENTER, children: [run(doc.title, WORD_FONTS.song, SIZE.title, true)] }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [run(doc.subtitle, WORD_FONTS.kai)] }),
          ...blocks(doc.blocks, SIZE.table),
          new Paragraph({ children: [new PageBreak()] }),
          new Paragraph({ children: [run('附件：数据来源与口径说明', WORD_FONTS.hei)] }),
          ...blocks(doc.appendix, SIZE.appendix),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
