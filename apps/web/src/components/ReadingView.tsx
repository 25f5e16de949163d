/**
 * The reading view for small screens: the document's text reflowed to the screen at a readable size (17 px 仿宋,
 * never a scaled A4 page), in print order — title, 主送, the body with its numbered headings (一、（一）1.（1）as
 * printed), the attachment list, the issuing bodies and date. The page preview stays one tap away. Like the
 * printed page, the words of the document itself (附件：) are Chinese whatever the interface language.
 */
import type { ReactNode } from 'react';
import { HeadingNumberer, circledNumber, formatChineseDate } from '#gongwen/docx/text';
import type { Block, DocumentContent } from '#gongwen/document/model';
import '../pages/inbox.css';

function blocks(list: Block[]): ReactNode[] {
  const numberer = new HeadingNumberer();
  return list.map((b) => {
    switch (b.type) {
      case 'heading': {
        const text = `${numberer.next(b.level)}${b.text}`;
        return b.level <= 1 ? <h3 key={b.id}>{text}</h3> : <h4 key={b.id}>{text}</h4>;
      }
      case 'paragraph':
        return <p key={b.id}>{b.text}</p>;
      case 'list':
        return (
          <ul key={b.id}>
            {b.items.map((item, n) => (
              <li key={n}>
                {b.ordered ? circledNumber(n + 1) : '• '}
                {item}
              </li>
            ))}
          </ul>
        );
      case 'table':
        return (
          <table key={b.id}>
            <tbody>
              {b.rows.map((row, r) => (
                <tr key={r}>{row.map((cell, c) => (r < (b.headerRows ?? 0) ? <th key={c}>{cell}</th> : <td key={c}>{cell}</td>))}</tr>
              ))}
            </tbody>
          </table>
        );
      default:
        return null;
    }
  });
}

export function ReadingView({ content, dateOfIssue }: { content: DocumentContent; dateOfIssue: string | null }) {
  return (
    <article className="reading-view" lang="zh-CN" data-testid="reading-view">
      <h2 className="reading-doc-title">{content.title}</h2>
      {content.mainRecipients.length > 0 && <p className="reading-meta">{content.mainRecipients.join('，')}：</p>}
      <div data-testid="reading-body">{blocks(content.sections.flatMap((s) => s.blocks))}</div>
      {content.attachments.length > 0 && (
        <>
          <p className="reading-meta">附件：</p>
          <ol className="reading-attachments">
            {content.attachments.map((a, n) => (
              <li key={a.id} className="reading-meta">
                {n + 1}. {a.title}
              </li>
            ))}
          </ol>
        </>
      )}
      {content.issuers.map((i) => (
        <p key={i.unitId} className="reading-sign">
          {i.name}
        </p>
      ))}
      {dateOfIssue && <p className="reading-sign">{formatChineseDate(dateOfIssue)}</p>}
    </article>
  );
}
