/**
 * The document as it will print: the pages and lines that libs/page-layout computes (the layout the OFD writer draws
 * and that LibreOffice gives the DOCX → PDF), drawn as SVG in millimetres — every character at its position, every
 * baseline where the PDF has it — so the page view breaks lines and pages as the PDF and the OFD do. Nothing is
 * measured in the browser: the faces only draw the glyphs.
 *
 * Lines of body text carry their block id and each character's offset in the block's text, so a selection in the
 * preview maps back to (blockId, start, end) for proofreading marks, and open marks are highlighted in place.
 * Before registration the number line shows a grey placeholder (the line is one exact pitch whatever it holds, so
 * the pages break as in the DOCX).
 *
 * The printed words (签发人：, 抄送：, 印发, 附件：…) are part of the document, not of the UI: always Chinese.
 */
import { Fragment, useEffect, useMemo, type ReactNode } from 'react';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { RED } from '#gongwen/docx/layout';
import { officeDate, officeYear } from '#gongwen/document/date-of-issue';
import { PAGE_H, PAGE_W, layoutDocument, type DocumentLayout, type FaceRole, type Line, type Rule } from '#gongwen/page-layout';
import type { ProofreadingMark } from '../types';

const MM_PER_PT = 25.4 / 72;

export interface OfficialDocumentProps {
  content: DocumentContent;
  documentNumber: string | null;
  /** Names for the 签发人 line of documents to a higher body (报告, 请示). */
  signerNames: string[];
  /** 成文日期 (ISO date) once signed. */
  dateOfIssue: string | null;
  /** 印发日期 (ISO instant) once registered. */
  printedDate: string | null;
  /** 份号: the reader's own numbered copy of a classified document (drawn on the first line, as the PDF prints it). */
  copyNumber?: string | null;
  /** Set for an unsigned revision: the draft marking on every page. */
  draft: { revision: number } | null;
  /** Open proofreading marks to highlight. */
  marks?: ProofreadingMark[];
  /** Called with the number of pages once laid out. */
  onLayout?: (pages: number) => void;
}

/** The placeholder for the number before registration: the lead body's code and this year, 区委办发〔2026〕　号. */
function numberPlaceholder(content: DocumentContent): string {
  const lead = content.issuers[0];
  return lead?.code ? `${lead.code}发〔${officeYear()}〕　号` : '〔　　〕　号';
}

/**
 * The layout of the document as GET …/docx and …/pdf render it for the same state: the render context the API
 * builds (docx.controller renderContext) and its 版记 placement (on an even page once registered, inline for drafts).
 */
export function previewLayout(p: Omit<OfficialDocumentProps, 'marks' | 'onLayout'>): DocumentLayout {
  const registered = Boolean(p.documentNumber) && !p.draft;
  const ctx: RenderContext = {
    documentNumber: p.documentNumber ?? undefined,
    signers: p.signerNames.map((name) => ({ name, issuerUnitId: '', signedAt: '' })),
    dateOfIssue: p.dateOfIssue ?? undefined,
    printedDate: registered && p.printedDate ? officeDate(p.printedDate) : undefined,
    draft: Boolean(p.draft),
    revisionNumber: p.draft?.revision,
    ...(p.copyNumber ? { copyNumber: p.copyNumber } : {}),
  };
  return layoutDocument(p.content, ctx, {
    imprint: registered ? 'auto' : 'inline',
    numberPlaceholder: p.documentNumber ? undefined : numberPlaceholder(p.content),
  });
}

const FACE_CLASS: Record<FaceRole, string> = {
  title: 'gw-f-title',
  fangsong: 'gw-f-fangsong',
  hei: 'gw-f-hei',
  kai: 'gw-f-kai',
  song: 'gw-f-song',
  latin: 'gw-f-latin',
};

/** A piece of a run drawn as one tspan: consecutive characters of one source (block text from `o`, or added). */
interface Leaf {
  text: string;
  xs: number[];
  advs: number[];
  face: FaceRole;
  sizeMm: number;
  color: string;
  /** Offset in the block's text of the first character; absent for characters the layout adds. */
  o?: number;
  mark?: ProofreadingMark;
}

/** The leaves of a line: runs cut where the source offsets jump or an open mark starts or ends. */
function leavesOf(line: Line, marks: readonly ProofreadingMark[]): Leaf[] {
  const mine = line.blockId ? marks.filter((m) => m.blockId === line.blockId && m.status === 'open') : [];
  const out: Leaf[] = [];
  for (const run of line.runs) {
    let x = run.x;
    let cur: Leaf | null = null;
    let next = -2; // the offset that continues the current leaf
    [...run.text].forEach((ch, k) => {
      const src = run.offsets?.[k];
      const o = src !== undefined && src >= 0 ? src : undefined;
      const mark = o === undefined ? undefined : mine.find((m) => m.start <= o && o < m.end);
      const continues = cur && (o === undefined ? cur.o === undefined : cur.o !== undefined && o === next) && cur.mark === mark;
      if (!continues) {
        cur = { text: '', xs: [], advs: [], face: run.face, sizeMm: run.sizePt * MM_PER_PT, color: run.color, o, mark };
        out.push(cur);
      }
      cur!.text += ch;
      cur!.xs.push(x);
      cur!.advs.push(run.advances[k]);
      x += run.advances[k];
      if (o !== undefined) next = o + ch.length;
    });
  }
  return out;
}

const fmt = (n: number): string => String(Math.round(n * 1000) / 1000);

function LineText({ line, marks }: { line: Line; marks: readonly ProofreadingMark[] }) {
  const leaves = leavesOf(line, marks);
  const y = fmt(line.baseline);
  const tspan = (l: Leaf, k: number) => (
    <tspan
      key={k}
      x={l.xs.map(fmt).join(' ')}
      y={y}
      className={FACE_CLASS[l.face]}
      fontSize={fmt(l.sizeMm)}
      fill={line.placeholder ? undefined : `#${l.color}`}
      data-o={l.o}
      data-gen={l.o === undefined && line.blockId ? '' : undefined}
    >
      {l.text}
    </tspan>
  );
  // consecutive leaves of one mark go in one tspan (the mark's text reads as one, across faces)
  const parts: ReactNode[] = [];
  for (let k = 0; k < leaves.length;) {
    const mark = leaves[k].mark;
    if (!mark) {
      parts.push(tspan(leaves[k], k));
      k++;
      continue;
    }
    const group: ReactNode[] = [];
    const start = k;
    while (k < leaves.length && leaves[k].mark === mark) group.push(tspan(leaves[k], k++));
    parts.push(
      <tspan key={`m${start}`} className="gw-proofmark" data-mark-id={mark.id}>
        {group}
      </tspan>,
    );
  }
  return <text>{parts}</text>;
}

/** The highlight behind the marked characters of a line. */
function MarkBoxes({ line, marks }: { line: Line; marks: readonly ProofreadingMark[] }) {
  const boxes = leavesOf(line, marks).filter((l) => l.mark);
  return (
    <>
      {boxes.map((l, k) => {
        const x = l.xs[0];
        const w = l.xs[l.xs.length - 1] + l.advs[l.advs.length - 1] - x;
        return (
          <rect
            key={k}
            className="gw-proofmark-box"
            x={fmt(x)}
            y={fmt(line.baseline - 0.9 * l.sizeMm)}
            width={fmt(w)}
            height={fmt(1.15 * l.sizeMm)}
          />
        );
      })}
    </>
  );
}

function RuleLine({ r }: { r: Rule }) {
  // the red rule under the number (and the letter format's red double rules)
  const red = r.color.toUpperCase() === RED.toUpperCase();
  return (
    <line
      className={red ? 'gw-rule gw-red-rule' : 'gw-rule'}
      x1={fmt(r.x1)}
      y1={fmt(r.y1)}
      x2={fmt(r.x2)}
      y2={fmt(r.y2)}
      stroke={`#${r.color}`}
      strokeWidth={fmt(r.width)}
    />
  );
}

/** The class of a group of lines (what tests and styles find): by role, headings by level. */
function groupClass(line: Line, levels: Map<string, string>): string {
  const placeholder = line.placeholder ? ' gw-placeholder' : '';
  switch (line.role) {
    case 'heading':
      return `gw-text ${levels.get(line.blockId ?? '') ?? 'gw-h1'}`;
    case 'body':
      return `gw-text ${levels.get(line.blockId ?? '') ?? 'gw-p'}`;
    case 'draft':
      return 'gw-draft-mark';
    case 'date':
      return `gw-signature-date${placeholder}`;
    default:
      return `gw-${line.role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${placeholder}`;
  }
}

/** Consecutive lines of one role and block, drawn in one group. */
function groups(lines: readonly Line[]): Line[][] {
  const out: Line[][] = [];
  for (const l of lines) {
    const last = out[out.length - 1];
    if (last && last[0].role === l.role && last[0].blockId === l.blockId && !!last[0].placeholder === !!l.placeholder) last.push(l);
    else out.push([l]);
  }
  return out;
}

export function OfficialDocument(props: OfficialDocumentProps) {
  const { content, documentNumber, signerNames, dateOfIssue, printedDate, draft, copyNumber, marks = [], onLayout } = props;
  const revision = draft?.revision;
  const layout = useMemo(
    () =>
      previewLayout({
        content,
        documentNumber,
        signerNames,
        dateOfIssue,
        printedDate,
        draft: revision === undefined ? null : { revision },
        copyNumber,
      }),
    // signerNames is a new array on each render of the caller: compare its contents
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [content, documentNumber, signerNames.join('\n'), dateOfIssue, printedDate, revision, copyNumber],
  );
  const levels = useMemo(() => {
    const m = new Map<string, string>();
    const all = [...content.sections.flatMap((s) => s.blocks), ...content.attachments.flatMap((a) => a.blocks ?? [])];
    for (const b of all) m.set(b.id, b.type === 'heading' ? `gw-h${b.level}` : b.type === 'list' ? 'gw-li' : 'gw-p');
    return m;
  }, [content]);
  useEffect(() => {
    onLayout?.(layout.pages.length);
  }, [layout, onLayout]);
  useEffect(() => {
    // the faces the PDFs use, self-hosted under the standard font names (scripts/docx/web-fonts.ts)
    import('../fonts/preview-fonts.css').catch(() => {});
  }, []);

  return (
    <div className="gw-doc" data-pages={layout.pages.length}>
      {layout.pages.map((page, p) => (
        <section key={p} className="gw-page" aria-label={`第 ${p + 1} 页`} data-page={p + 1}>
          <svg className="gw-sheet" viewBox={`0 0 ${fmt(PAGE_W)} ${fmt(PAGE_H)}`} width="100%" height="100%">
            {page.rules.map((r, k) => (
              <RuleLine key={k} r={r} />
            ))}
            {groups(page.lines).map((lines, k) => (
              <g key={k} className={groupClass(lines[0], levels)} data-block-id={lines[0].blockId} data-role={lines[0].role}>
                {lines.map((l, i) => (
                  <Fragment key={i}>
                    {l.blockId && marks.length > 0 && <MarkBoxes line={l} marks={marks} />}
                    <LineText line={l} marks={marks} />
                  </Fragment>
                ))}
              </g>
            ))}
          </svg>
        </section>
      ))}
    </div>
  );
}

export interface BodySelection {
  blockId: string;
  start: number;
  end: number;
  text: string;
}

const LEAF = '[data-o],[data-gen]';

/** The selection inside `root`'s body text as (blockId, start, end) in the block's text, or null. */
export function bodySelection(root: HTMLElement | null): BodySelection | null {
  const sel = window.getSelection();
  if (!root || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const locate = (node: Node, offset: number): { blockId: string; pos: number } | null => {
    let leaf: Element | null = null;
    let at = 0;
    if (node.nodeType === Node.TEXT_NODE) {
      leaf = node.parentElement;
      at = offset;
    } else {
      const el = node as Element;
      const child = el.childNodes[offset];
      if (child) {
        leaf =
          child.nodeType === Node.ELEMENT_NODE
            ? (child as Element).matches(LEAF)
              ? (child as Element)
              : (child as Element).querySelector(LEAF)
            : child.parentElement;
      } else {
        const all = el.querySelectorAll(LEAF);
        leaf = all[all.length - 1] ?? null;
        at = leaf?.textContent?.length ?? 0;
      }
    }
    const group = leaf?.closest<SVGGElement>('[data-block-id]');
    if (!leaf || !group || !root.contains(group)) return null;
    const blockId = group.dataset.blockId!;
    const o = (leaf as SVGElement).dataset.o;
    if (o !== undefined) return { blockId, pos: Number(o) + at };
    // in a heading number or list marker: where the text after it starts
    const after = [...group.querySelectorAll<SVGElement>('[data-o]')].find(
      (l) => leaf.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
    return after ? { blockId, pos: Number(after.dataset.o) } : null;
  };
  const a = locate(range.startContainer, range.startOffset);
  const b = locate(range.endContainer, range.endOffset);
  if (!a || !b || a.blockId !== b.blockId || b.pos <= a.pos) return null;
  return { blockId: a.blockId, start: a.pos, end: b.pos, text: range.toString().replace(/\s+/g, '') };
}
