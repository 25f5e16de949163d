/**
 * The document as it will print, in HTML: A4 pages laid out per GB/T 9704-2012 (37 mm top and 28 mm left margins,
 * a 156 × 225 mm text block of 22 lines × 28 characters of 3号 仿宋; red issuing-body mark, document number,
 * red rule; 小标宋 title; 主送机关; numbered headings 一、（一）1.（1）; signature block; imprint; page numbers).
 *
 * Pagination is measured, not guessed: every flow item is laid out once in a hidden box of the text block's width,
 * paragraphs report where each of their lines starts, and the pages are filled line by line, a paragraph carrying
 * over to the next page where it must. Rendered paragraph fragments keep their block id and character offset, so a
 * selection in the preview maps back to (blockId, start, end) for proofreading marks.
 *
 * The printed words (签发人：, 抄送：, 印发, 附件：…) are part of the document, not of the UI: always Chinese.
 */
import { createPortal } from 'react-dom';
import { Fragment, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CLASSIFICATION_LABELS, UPWARD_KINDS, URGENCY_LABELS, type Block, type DocumentContent } from '#gongwen/document/model';
import { LINES_PER_PAGE, MARK_PT, PT } from '#gongwen/docx/layout';
import { HeadingNumberer, circledNumber, formatChineseDate, widthInChars, wrapTitle } from '#gongwen/docx/text';
import type { ProofreadingMark } from '../types';

const PX_PER_MM = 96 / 25.4;
const TEXT_HEIGHT_PX = 225 * PX_PER_MM;
const LINE_PX = TEXT_HEIGHT_PX / LINES_PER_PAGE;
const EPS = 0.75;
const DATE_PLACEHOLDER = '　　　　年　　月　　日';

type LayoutKind = 'standard' | 'letter' | 'minutes';
const layoutOf = (kind: DocumentContent['kind']): LayoutKind => (kind === '函' ? 'letter' : kind === '纪要' ? 'minutes' : 'standard');

/** Mirrors libs/docx render.ts: ×××文件 (standard), ×××纪要 (minutes), the bare name (letter). */
function markText(name: string, layout: LayoutKind): string {
  if (layout === 'letter') return name;
  if (layout === 'minutes') return name.endsWith('纪要') ? name : `${name}纪要`;
  return name.endsWith('文件') ? name : `${name}文件`;
}

/** Mirrors libs/docx render.ts markSize: 30 pt, shrunk (not below 小二) so that a long name fits one line. */
function markSize(lineChars: number): number {
  const fit = Math.floor((442 / Math.max(lineChars, 1)) * 0.96);
  return Math.min(MARK_PT, Math.max(PT.xiaoer, fit));
}

export interface OfficialDocumentProps {
  content: DocumentContent;
  documentNumber: string | null;
  /** Names for the 签发人 line of documents to a higher body (报告, 请示). */
  signerNames: string[];
  /** 成文日期 (ISO date) once signed. */
  dateOfIssue: string | null;
  /** 印发日期 (ISO) once registered. */
  printedDate: string | null;
  /** Set for an unsigned revision: a draft marking on every page. */
  draft: { revision: number } | null;
  /** Open proofreading marks to highlight. */
  marks?: ProofreadingMark[];
  /** Called with the number of pages once laid out. */
  onLayout?: (pages: number) => void;
}

type TextStyle = 'p' | 'h1' | 'h2' | 'h3' | 'h4' | 'li';

type Item =
  | { kind: 'header' }
  | { kind: 'title' }
  | { kind: 'recipients' }
  | { kind: 'text'; style: TextStyle; blockId: string; base: number; prefix: string; text: string }
  | { kind: 'table'; block: Extract<Block, { type: 'table' }> }
  | { kind: 'attachmentNote' }
  | { kind: 'signature' }
  | { kind: 'note' }
  | { kind: 'minutes' }
  | { kind: 'pageBreak' }
  | { kind: 'attachmentHead'; n: number; title: string };

interface Piece {
  i: number;
  from: number;
  to: number;
}

interface Layout {
  pages: Piece[][];
}

function blockItems(blocks: Block[]): Item[] {
  const out: Item[] = [];
  const numberer = new HeadingNumberer();
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push({ kind: 'text', style: `h${b.level}` as TextStyle, blockId: b.id, base: 0, prefix: numberer.next(b.level), text: b.text });
        break;
      case 'paragraph':
        out.push({ kind: 'text', style: 'p', blockId: b.id, base: 0, prefix: '', text: b.text });
        break;
      case 'list': {
        let base = 0;
        b.items.forEach((item, n) => {
          out.push({ kind: 'text', style: 'li', blockId: b.id, base, prefix: b.ordered ? circledNumber(n + 1) : '• ', text: item });
          base += item.length + 1;
        });
        break;
      }
      case 'table':
        out.push({ kind: 'table', block: b });
        break;
    }
  }
  return out;
}

function buildItems(content: DocumentContent): Item[] {
  const items: Item[] = [{ kind: 'header' }, { kind: 'title' }];
  if (content.mainRecipients.length) items.push({ kind: 'recipients' });
  items.push(...blockItems(content.sections.flatMap((s) => s.blocks)));
  if (content.attachments.length) items.push({ kind: 'attachmentNote' });
  if (content.kind === '纪要' && content.minutes) items.push({ kind: 'minutes' });
  else items.push({ kind: 'signature' });
  if (content.note?.trim()) items.push({ kind: 'note' });
  content.attachments.forEach((a, n) => {
    if (!a.blocks?.length) return;
    items.push({ kind: 'pageBreak' }, { kind: 'attachmentHead', n: n + 1, title: a.title }, ...blockItems(a.blocks));
  });
  return items;
}

const splittable = (it: Item): it is Extract<Item, { kind: 'text' }> => it.kind === 'text' && (it.style === 'p' || it.style === 'li');

/** Offsets (UTF-16) where each rendered line of a text item starts. */
function lineStarts(el: HTMLElement): number[] {
  const node = el.querySelector('[data-text]')?.firstChild;
  if (!node || node.nodeType !== Node.TEXT_NODE) return [0];
  const text = node.textContent ?? '';
  const range = document.createRange();
  const starts = [0];
  let lastTop: number | null = null;
  let i = 0;
  for (const ch of text) {
    range.setStart(node, i);
    range.setEnd(node, i + ch.length);
    const rect = range.getClientRects()[0];
    if (rect) {
      if (lastTop !== null && rect.top > lastTop + LINE_PX / 2) starts.push(i);
      if (lastTop === null || rect.top > lastTop + LINE_PX / 2) lastTop = rect.top;
    }
    i += ch.length;
  }
  return starts;
}

function paginate(box: HTMLElement, items: Item[], imprintHeight: number): Layout {
  const els = [...box.querySelectorAll<HTMLElement>(':scope > [data-i]')];
  const pages: Piece[][] = [[]];
  let used = 0;
  const newPage = () => {
    if (pages[pages.length - 1].length) pages.push([]);
    used = 0;
  };
  items.forEach((it, i) => {
    const el = els[i];
    if (it.kind === 'pageBreak') return newPage();
    const h = el?.offsetHeight ?? 0;
    const len = it.kind === 'text' ? it.text.length : 0;
    const next = items[i + 1];
    // a heading keeps at least one line of what follows on its page
    const keep = it.kind === 'text' && !splittable(it) && next && next.kind === 'text' ? LINE_PX : 0;
    if (used + h + keep <= TEXT_HEIGHT_PX + EPS) {
      pages[pages.length - 1].push({ i, from: 0, to: len });
      used += h;
      return;
    }
    if (splittable(it) && el) {
      const starts = lineStarts(el);
      let line = 0;
      while (line < starts.length) {
        const fit = Math.floor((TEXT_HEIGHT_PX - used + EPS) / LINE_PX);
        if (fit <= 0) {
          newPage();
          continue;
        }
        const end = Math.min(starts.length, line + fit);
        pages[pages.length - 1].push({ i, from: starts[line], to: end < starts.length ? starts[end] : len });
        used += (end - line) * LINE_PX;
        line = end;
        if (line < starts.length) newPage();
      }
      return;
    }
    // GB/T 9704 allows no page with a signature and no text (此页无正文): the signature or minutes take the
    // attachment note and the last line of the text along to the new page
    const carried: Piece[] = [];
    let carriedHeight = 0;
    if ((it.kind === 'signature' || it.kind === 'minutes') && used > 0) {
      const page = pages[pages.length - 1];
      while (page.length && items[page[page.length - 1].i].kind === 'attachmentNote') {
        const p = page.pop()!;
        carried.unshift(p);
        carriedHeight += els[p.i]?.offsetHeight ?? 0;
      }
      const last = page[page.length - 1];
      const lastItem = last && items[last.i];
      if (last && lastItem && splittable(lastItem)) {
        const starts = lineStarts(els[last.i]).filter((s) => s > last.from && s < last.to);
        if (starts.length) {
          const cut = starts[starts.length - 1];
          carried.unshift({ i: last.i, from: cut, to: last.to });
          last.to = cut;
        } else {
          carried.unshift(page.pop()!);
        }
        carriedHeight += LINE_PX;
      }
    }
    newPage();
    pages[pages.length - 1].push(...carried, { i, from: 0, to: len });
    used = carriedHeight + h;
  });
  if (used + imprintHeight > TEXT_HEIGHT_PX + EPS) pages.push([]);
  return { pages };
}

/** Open marks of a block that intersect [from, to), as highlighted segments of the fragment's text. */
function highlight(text: string, from: number, blockId: string, marks: ProofreadingMark[]): ReactNode {
  const mine = marks.filter((m) => m.blockId === blockId && m.status === 'open' && m.end > from && m.start < from + text.length);
  if (!mine.length) return text;
  const cuts = new Set<number>([0, text.length]);
  for (const m of mine) {
    cuts.add(Math.max(0, m.start - from));
    cuts.add(Math.min(text.length, m.end - from));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: ReactNode[] = [];
  for (let k = 0; k < points.length - 1; k++) {
    const [a, b] = [points[k], points[k + 1]];
    if (a === b) continue;
    const hit = mine.find((m) => m.start - from <= a && m.end - from >= b);
    out.push(
      hit ? (
        <mark key={k} className="gw-proofmark" title={hit.comment}>
          {text.slice(a, b)}
        </mark>
      ) : (
        <Fragment key={k}>{text.slice(a, b)}</Fragment>
      ),
    );
  }
  return out;
}

export function OfficialDocument(props: OfficialDocumentProps) {
  const { content, documentNumber, signerNames, dateOfIssue, printedDate, draft, marks = [], onLayout } = props;
  const layoutKind = layoutOf(content.kind);
  const items = useMemo(() => buildItems(content), [content]);
  const measureRef = useRef<HTMLDivElement>(null);
  const imprintRef = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<Layout | null>(null);

  useLayoutEffect(() => {
    let live = true;
    const run = () => {
      if (!live || !measureRef.current) return;
      const next = paginate(measureRef.current, items, imprintRef.current?.offsetHeight ?? 0);
      setLayout((prev) => (prev && JSON.stringify(prev) === JSON.stringify(next) ? prev : next));
    };
    run();
    // system CJK fonts may finish loading after the first layout
    document.fonts?.ready.then(run).catch(() => {});
    return () => {
      live = false;
    };
  }, [items]);

  useLayoutEffect(() => {
    if (layout) onLayout?.(layout.pages.length);
  }, [layout, onLayout]);

  const signed = Boolean(dateOfIssue);

  const renderItem = (it: Item, piece: Piece | null): ReactNode => {
    switch (it.kind) {
      case 'header':
        return <Header content={content} layout={layoutKind} documentNumber={documentNumber} signerNames={signerNames} />;
      case 'title':
        return (
          <h2 className="gw-title">
            {wrapTitle(content.title).map((line, k) => (
              <span key={k} className="gw-title-line">
                {line}
              </span>
            ))}
          </h2>
        );
      case 'recipients':
        return <p className="gw-recipients">{content.mainRecipients.join('，')}：</p>;
      case 'text': {
        const from = piece?.from ?? 0;
        const to = piece?.to ?? it.text.length;
        const first = from === 0;
        const last = to >= it.text.length;
        const slice = it.text.slice(from, to);
        return (
          <p
            className={`gw-text gw-${it.style}${first ? '' : ' gw-cont'}${last ? '' : ' gw-split'}`}
            data-block-id={it.blockId}
            data-base={it.base + from}
          >
            {first && it.prefix && <span className="gw-prefix">{it.prefix}</span>}
            <span data-text="">{piece ? highlight(slice, it.base + from, it.blockId, marks) : slice}</span>
          </p>
        );
      }
      case 'table':
        return (
          <table className="gw-table">
            <tbody>
              {it.block.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) =>
                    r < (it.block.headerRows ?? 0) ? (
                      <th key={c} scope="col">
                        {cell}
                      </th>
                    ) : (
                      <td key={c}>{cell}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        );
      case 'attachmentNote':
        return (
          <div className="gw-attachments">
            {content.attachments.map((a, n) => (
              <p key={a.id} className="gw-attachment-line">
                <span className="gw-attachment-label">{n === 0 ? '附件：' : ''}</span>
                <span>{content.attachments.length > 1 ? `${n + 1}. ${a.title}` : a.title}</span>
              </p>
            ))}
          </div>
        );
      case 'signature':
        return (
          <div className="gw-signature">
            <div className="gw-signature-box">
              {content.issuers.map((i) => (
                <p key={i.unitId}>{i.name}</p>
              ))}
              <p className={`gw-signature-date${signed ? '' : ' gw-placeholder'}`}>
                {dateOfIssue ? formatChineseDate(dateOfIssue) : DATE_PLACEHOLDER}
              </p>
            </div>
          </div>
        );
      case 'minutes': {
        const m = content.minutes!;
        const row = (label: string, names: string[]) =>
          names.length ? (
            <p className="gw-minutes">
              <span className="gw-minutes-label">{label}</span>
              {names.join('，')}
            </p>
          ) : null;
        return (
          <div className="gw-minutes-block">
            {row('出席：', m.present)}
            {row('请假：', m.absent)}
            {row('列席：', m.attending)}
          </div>
        );
      }
      case 'note':
        return <p className="gw-note">（{content.note}）</p>;
      case 'attachmentHead':
        return (
          <div className="gw-attachment-head">
            <p className="gw-attachment-no">附件{content.attachments.length > 1 ? it.n : ''}</p>
            <h3 className="gw-attachment-title">{it.title}</h3>
          </div>
        );
      case 'pageBreak':
        return null;
    }
  };

  const imprint = <Imprint content={content} layout={layoutKind} printedDate={printedDate} />;

  const pages = layout?.pages ?? [];
  return (
    <div className={`gw-doc gw-layout-${layoutKind}`}>
      {/* measured outside any zoomed ancestor, at true size */}
      {createPortal(
        <div className={`gw-doc gw-measure gw-layout-${layoutKind}`} aria-hidden="true">
          <div className="gw-flow" ref={measureRef}>
            {items.map((it, i) => (
              <div key={i} data-i={i} className="gw-item">
                {renderItem(it, null)}
              </div>
            ))}
          </div>
          <div className="gw-flow" ref={imprintRef}>
            {imprint}
          </div>
        </div>,
        document.body,
      )}
      {pages.map((pieces, p) => {
        const n = p + 1;
        const lastPage = n === pages.length;
        return (
          <section key={p} className="gw-page" aria-label={`第 ${n} 页`} data-page={n}>
            {draft && <p className="gw-draft-mark">草稿 · 未签发 · 第{draft.revision}稿</p>}
            {layoutKind === 'letter' && n === 1 && <div className="gw-letter-rule-bottom" aria-hidden="true" />}
            <div className="gw-textblock">
              <div className="gw-flow">
                {pieces.map((piece) => (
                  <Fragment key={`${piece.i}:${piece.from}`}>{renderItem(items[piece.i], piece)}</Fragment>
                ))}
              </div>
              {lastPage && <div className="gw-imprint-slot">{imprint}</div>}
            </div>
            {!(layoutKind === 'letter' && n === 1) && <p className={`gw-page-number ${n % 2 ? 'gw-odd' : 'gw-even'}`}>— {n} —</p>}
          </section>
        );
      })}
    </div>
  );
}

/** 版记: 抄送 and 印发机关/印发日期 between rules, at the foot of the last page's text block. */
function Imprint({ content, layout, printedDate }: { content: DocumentContent; layout: LayoutKind; printedDate: string | null }) {
  const lead = content.issuers[0];
  // letters (信函) carry no printing body, date or rules: only the 抄送 line, if any
  if (layout === 'letter' && !content.copiesTo.length) return null;
  return (
    <div className={layout === 'letter' ? 'gw-imprint gw-imprint-letter' : 'gw-imprint'}>
      {content.copiesTo.length > 0 && <p className="gw-imprint-line gw-copies">抄送：{content.copiesTo.join('，')}。</p>}
      {layout !== 'letter' && (
        <p className="gw-imprint-line gw-printed">
          <span>{lead?.name ?? ''}</span>
          <span className={printedDate ? '' : 'gw-placeholder'}>{printedDate ? formatChineseDate(printedDate) : DATE_PLACEHOLDER}印发</span>
        </p>
      )}
    </div>
  );
}

function Header({
  content,
  layout,
  documentNumber,
  signerNames,
}: {
  content: DocumentContent;
  layout: LayoutKind;
  documentNumber: string | null;
  signerNames: string[];
}) {
  const names = content.issuers.map((i) => i.name);
  const upward = UPWARD_KINDS.includes(content.kind);
  const lines: { text: string; cls: string }[] = [];
  if (content.classification !== 'none') {
    lines.push({ text: '', cls: 'gw-copyno' });
    const label = CLASSIFICATION_LABELS[content.classification];
    lines.push({ text: content.secrecyPeriod ? `${label}★${content.secrecyPeriod}` : label, cls: 'gw-secret' });
  }
  if (content.urgency !== 'none') lines.push({ text: URGENCY_LABELS[content.urgency], cls: 'gw-urgency' });
  const year = new Date().getFullYear();
  const lead = content.issuers[0];
  const number = documentNumber ? (
    <span>{documentNumber}</span>
  ) : (
    <span className="gw-placeholder">{lead ? `${lead.code}发〔${year}〕　号` : '〔　〕　号'}</span>
  );

  let mark: ReactNode;
  if (names.length <= 1 || layout === 'minutes') {
    const text = markText(names[0] ?? '', layout);
    mark = (
      <p className="gw-mark" style={{ fontSize: `${markSize(widthInChars(text))}pt` }}>
        {text}
      </p>
    );
  } else {
    const longest = Math.max(...names.map(widthInChars));
    const pt = markSize(longest + 3);
    mark = (
      <div className="gw-mark gw-mark-joint" style={{ fontSize: `${pt}pt` }}>
        <div className="gw-mark-names" style={{ width: `${longest + 0.5}em` }}>
          {names.map((n) => (
            <span key={n}>{n}</span>
          ))}
        </div>
        <span className="gw-mark-suffix">文件</span>
      </div>
    );
  }

  if (layout === 'letter') {
    return (
      <header className="gw-header gw-header-letter">
        {mark}
        <div className="gw-letter-rule-top" aria-hidden="true" />
        <p className="gw-number gw-number-letter">{number}</p>
        {lines.map((l, k) => (
          <p key={k} className={`gw-header-line ${l.cls}`}>
            {l.text}
          </p>
        ))}
      </header>
    );
  }
  return (
    <header className="gw-header">
      <div className="gw-header-top">
        {lines.map((l, k) => (
          <p key={k} className={`gw-header-line ${l.cls}`}>
            {l.text}
          </p>
        ))}
      </div>
      {mark}
      {upward ? (
        <p className="gw-number gw-number-upward">
          {number}
          <span className="gw-signer-line">
            签发人：<span className="gw-signer-names">{signerNames.join('　')}</span>
          </span>
        </p>
      ) : (
        <p className="gw-number">{number}</p>
      )}
      <div className="gw-red-rule" aria-hidden="true" />
    </header>
  );
}

export interface BodySelection {
  blockId: string;
  start: number;
  end: number;
  text: string;
}

/** The selection inside `root`'s body text as (blockId, start, end) in the block's text, or null. */
export function bodySelection(root: HTMLElement | null): BodySelection | null {
  const sel = window.getSelection();
  if (!root || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const locate = (node: Node, offset: number): { blockId: string; pos: number } | null => {
    const el = (node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement)?.closest<HTMLElement>('[data-block-id]');
    if (!el || !root.contains(el) || el.closest('.gw-measure')) return null;
    const textEl = el.querySelector('[data-text]');
    const base = Number(el.dataset.base ?? 0);
    if (!textEl) return null;
    if (!textEl.contains(node)) {
      // in the heading number or list marker: before the text
      const before = textEl.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING;
      return { blockId: el.dataset.blockId!, pos: before ? base : base + (textEl.textContent?.length ?? 0) };
    }
    const pre = document.createRange();
    pre.setStart(textEl, 0);
    pre.setEnd(node, offset);
    return { blockId: el.dataset.blockId!, pos: base + pre.toString().length };
  };
  const a = locate(range.startContainer, range.startOffset);
  const b = locate(range.endContainer, range.endOffset);
  if (!a || !b || a.blockId !== b.blockId || b.pos <= a.pos) return null;
  return { blockId: a.blockId, start: a.pos, end: b.pos, text: range.toString().replace(/\s+/g, '') };
}
