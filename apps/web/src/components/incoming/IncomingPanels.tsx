/**
 * The incoming item page's panels: the register entry with the original, the progress (check, proposal,
 * instruction, handling result, answer or return), the departments' status, the circulation (who has read it, who
 * holds it now), reminders and copies. Every person and unit by name (useIncomingNames).
 */
import { formatDate, formatDateTime } from '../../format';
import { incomingApi } from '../../incoming-queries';
import { useInT, type InKey } from '../../incoming-strings';
import type { IncomingView } from '../../incoming-types';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import type { IncomingNames } from './useIncomingNames';

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/** The item's register fields: what the registrar entered at registration stands over what came with the document. */
export function fieldsOf(item: IncomingView) {
  return { ...item.content, ...(item.register?.fields ?? {}) };
}

export function RegisterPanel({ item, names }: { item: IncomingView; names: IncomingNames }) {
  const { it } = useInT();
  const { t, locale } = useI18n();
  const c = fieldsOf(item);
  const receiveNumber = item.register?.receiveNumber ?? item.receiveNumber;
  return (
    <section className="panel" aria-labelledby="in-reg-h" data-testid="register-panel">
      <div className="panel-head">
        <h2 id="in-reg-h">{it('item.register')}</h2>
        <a className="btn btn-small" href={incomingApi.originalUrl(item.id)} download data-testid="original">
          {it('item.original')}
        </a>
      </div>
      <dl className="meta">
        {receiveNumber && (
          <Row label={it('item.receiveNumber')} testId="receive-number">
            {receiveNumber}
          </Row>
        )}
        <Row label={it('field.senderName')}>{c.senderName}</Row>
        {c.senderNumber && <Row label={it('field.senderNumber')}>{c.senderNumber}</Row>}
        {c.kind && <Row label={it('field.kind')}>{c.kind}</Row>}
        {c.dateOfIssue && <Row label={it('field.dateOfIssue')}>{formatDate(c.dateOfIssue, locale)}</Row>}
        <Row label={it('item.receivedAt')}>{formatDateTime(item.receipt?.at ?? item.createdAt, locale)}</Row>
        <Row label={it('field.classification')}>
          {t(`class.${c.classification}`)}
          {c.classification !== 'none' && c.secrecyPeriod ? `★${c.secrecyPeriod}` : ''}
        </Row>
        <Row label={it('field.urgency')}>{t(`urgency.${c.urgency}`)}</Row>
        {c.copies != null && <Row label={it('field.copies')}>{c.copies}</Row>}
        {c.pages != null && <Row label={it('field.pages')}>{c.pages}</Row>}
        {c.dueDate && <Row label={it('field.dueDate')}>{formatDate(c.dueDate, locale)}</Row>}
        {c.leadDepartmentId && <Row label={it('field.leadDepartment')}>{names.unit(c.leadDepartmentId)}</Row>}
        <Row label={it('item.source')}>
          {item.source.kind === 'exchange'
            ? it('item.sourceExchange', { unit: names.unit(item.source.senderUnitId) })
            : it('item.sourceExternal', { medium: it(`medium.${item.source.medium}`) })}
        </Row>
        {c.summary && <Row label={it('field.summary')}>{c.summary}</Row>}
        <Row label={it('item.attachments')} testId="attachments">
          {item.content.attachments.length ? (
            <ul className="attachment-list">
              {item.content.attachments.map((a) => (
                <li key={a.fileId}>
                  <a href={incomingApi.attachmentUrl(item.id, a.fileId)} download={a.name}>
                    {a.name}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            it('item.noAttachments')
          )}
        </Row>
      </dl>
      {item.receipt && (
        <p className="small" data-testid="receipt-line">
          {it('item.receiptBy', {
            name: names.person(item.receipt.by),
            date: formatDateTime(item.receipt.at, locale),
            copies: item.receipt.copies,
          })}
        </p>
      )}
      {item.register && (
        <p className="small" data-testid="register-line">
          {it('item.registeredBy', { name: names.person(item.register.by), date: formatDateTime(item.register.at, locale) })}
        </p>
      )}
    </section>
  );
}

/** The decisions so far, in the order they were taken. */
export function ProgressPanel({ item, names }: { item: IncomingView; names: IncomingNames }) {
  const { it } = useInT();
  const { locale } = useI18n();
  const parts = [];
  if (item.checks)
    parts.push(
      <div key="checks">
        <h3>{it('panel.checks')}</h3>
        <ul className="small">
          {item.checks.items.map((c) => (
            <li key={c.item}>
              {c.passed ? '✓' : '✗'} {c.item}. {it(`check.${c.item}` as InKey)}
              {c.comment ? `：${c.comment}` : ''}
            </li>
          ))}
        </ul>
        <p className="small muted">
          {names.person(item.checks.by)} · {formatDateTime(item.checks.at, locale)}
          {item.route ? ` · ${it(`route.${item.route}`)}` : ''}
        </p>
      </div>,
    );
  if (item.proposal)
    parts.push(
      <div key="proposal" data-testid="proposal">
        <h3>{it('panel.proposal')}</h3>
        <p>{item.proposal.opinion}</p>
        <p className="small muted">
          {names.person(item.proposal.by)} · {formatDateTime(item.proposal.at, locale)} →{' '}
          {item.proposal.leaderIds.map(names.person).join('、')}
        </p>
      </div>,
    );
  if (item.instruction)
    parts.push(
      <div key="instruction" data-testid="instruction">
        <h3>{it('panel.instruction')}</h3>
        <p>{item.instruction.text}</p>
        <p className="small muted">
          {names.person(item.instruction.by)} · {formatDateTime(item.instruction.at, locale)}
        </p>
      </div>,
    );
  if (item.handling)
    parts.push(
      <div key="handling">
        <h3>{it('form.result')}</h3>
        <p>{item.handling.result}</p>
        <p className="small muted">
          {names.person(item.handling.by)} · {formatDateTime(item.handling.at, locale)}
        </p>
      </div>,
    );
  if (item.reply || item.answer)
    parts.push(
      <div key="answer" data-testid="answer">
        <h3>{it('panel.answer')}</h3>
        {item.answer && (
          <p>
            {it('answer.entry', {
              name: names.person(item.answer.by),
              date: formatDateTime(item.answer.at, locale),
              text: item.answer.text,
            })}
          </p>
        )}
        {(item.answer?.replyDocumentId ?? item.reply?.documentId) && (
          <p className="small">
            {item.answer?.replyDocumentNumber ? it('answer.reply', { number: item.answer.replyDocumentNumber }) : it('answer.replyDraft')}{' '}
            <Link href={`/documents/${item.answer?.replyDocumentId ?? item.reply!.documentId}`}>{it('answer.openReply')}</Link>
          </p>
        )}
      </div>,
    );
  if (item.returnToSender)
    parts.push(
      <div key="returned" data-testid="returned">
        <h3>{it('panel.returned')}</h3>
        <p>
          {it('returned.entry', {
            name: names.person(item.returnToSender.by),
            date: formatDateTime(item.returnToSender.at, locale),
            reason: item.returnToSender.reason,
          })}
        </p>
        {item.returnToSender.failedChecks.length > 0 && (
          <p className="small">
            {it('returned.failed', { items: item.returnToSender.failedChecks.map((n) => it(`check.${n}` as InKey)).join('；') })}
          </p>
        )}
        {item.source.kind === 'external' && (
          <a className="btn btn-small" href={incomingApi.returnNoticeUrl(item.id)} download data-testid="return-notice">
            {it('item.returnNotice')}
          </a>
        )}
      </div>,
    );
  if (!parts.length) return null;
  return (
    <section className="panel" aria-labelledby="in-progress-h" data-testid="progress-panel">
      <h2 id="in-progress-h">{it('panel.progress')}</h2>
      {parts}
    </section>
  );
}

/** A department past its deadline while the item is still being handled (a date alone is due at the end of that day). */
function deptOverdue(item: IncomingView, d: IncomingView['departments'][number]): boolean {
  if (item.state !== 'handling' || !d.deadline || d.handedBack || d.released) return false;
  return new Date(`${d.deadline.slice(0, 10)}T23:59:59+08:00`).getTime() < Date.now();
}

export function DepartmentsPanel({ item, names }: { item: IncomingView; names: IncomingNames }) {
  const { it } = useInT();
  const { locale } = useI18n();
  if (!item.departments.length) return null;
  return (
    <section className="panel" aria-labelledby="in-dept-h" data-testid="departments-panel">
      <h2 id="in-dept-h">{it('panel.departments')}</h2>
      <ul className="signers">
        {item.departments.map((d) => (
          <li key={d.departmentId} className={d.handedBack || d.released ? 'unsigned' : d.records.length ? 'signed' : 'unsigned'}>
            <strong>{names.unit(d.departmentId)}</strong>（{it(d.role === 'lead' ? 'dept.lead' : 'dept.assist')}）
            {d.deadline && <span className="small"> · {it('dept.deadline', { date: formatDate(d.deadline, locale) })}</span>}
            {deptOverdue(item, d) && <span className="badge badge-bad"> {it('dept.overdue')}</span>}
            {d.handedBack && (
              <div className="small">
                {it('dept.handedBack', {
                  reason: d.handedBack.reason,
                  name: names.person(d.handedBack.by),
                  date: formatDateTime(d.handedBack.at, locale),
                })}
              </div>
            )}
            {d.records.length === 0 && !d.handedBack ? (
              <div className="small muted">{it('dept.noRecords')}</div>
            ) : (
              <ul className="small">
                {d.records.map((r, i) => (
                  <li key={i}>
                    {names.person(r.by)} · {formatDateTime(r.at, locale)}：{r.text}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function CirculationPanel({ item, names }: { item: IncomingView; names: IncomingNames }) {
  const { it } = useInT();
  const { locale } = useI18n();
  const c = item.circulation;
  if (!c || !c.readers.length) return null;
  const unread = c.readers.filter((r) => !r.readAt);
  // who holds it now: the API's answer, else the next reader in order (sequential) or every unread reader (parallel)
  const holders =
    item.state !== 'circulation' || c.closed
      ? []
      : (c.holders ?? (c.order === 'sequential' ? unread.slice(0, 1).map((r) => r.userId) : unread.map((r) => r.userId)));
  return (
    <section className="panel" aria-labelledby="in-circ-h" data-testid="circulation-panel">
      <h2 id="in-circ-h">{it('panel.circulation')}</h2>
      <p className="small muted">{it(`circ.order.${c.order}`)}</p>
      <p data-testid="holders">
        {holders.length ? it('circ.holders', { names: holders.map(names.person).join('、') }) : it('circ.noHolder')}
      </p>
      <ol className="readers" data-testid="circulation-readers">
        {c.readers.map((r) => (
          <li key={r.userId}>
            {names.person(r.userId)}：
            {r.readAt
              ? it('circ.read', { date: formatDateTime(r.readAt, locale) })
              : holders.includes(r.userId)
                ? it('circ.holding')
                : it('circ.waiting')}
            {r.opinion && <div className="small">{r.opinion}</div>}
          </li>
        ))}
      </ol>
      {c.takeBacks.length > 0 && (
        <ul className="small">
          {c.takeBacks.map((b, i) => (
            <li key={i}>
              {formatDateTime(b.at, locale)}{' '}
              {it('circ.takeBack', {
                by: names.person(b.by),
                from: names.person(b.fromUserId),
                to: names.person(b.toUserId),
                reason: b.reason,
              })}
            </li>
          ))}
        </ul>
      )}
      {c.closed && <p className="small muted">{it('circ.closed', { date: formatDateTime(c.closed.at, locale) })}</p>}
    </section>
  );
}

export function RemindersPanel({ item, names }: { item: IncomingView; names: IncomingNames }) {
  const { it } = useInT();
  const { locale } = useI18n();
  const reminders = item.reminders ?? [];
  const copies = item.copies ?? [];
  if (!reminders.length && !copies.length) return null;
  return (
    <section className="panel" aria-labelledby="in-remind-h" data-testid="reminders-panel">
      <h2 id="in-remind-h">{it('panel.reminders')}</h2>
      {reminders.length === 0 ? (
        <p className="small muted">{it('remind.none')}</p>
      ) : (
        <ul className="small">
          {reminders.map((r, i) => (
            <li key={i}>
              {it('remind.entry', {
                date: formatDateTime(r.at, locale),
                by: names.person(r.by),
                targets: r.targets.map(names.target).join('、'),
                level: it(`remind.${r.level}`),
              })}
            </li>
          ))}
        </ul>
      )}
      {copies.length > 0 && (
        <>
          <h3>{it('panel.copies')}</h3>
          <ul className="small" data-testid="copies">
            {copies.map((c) => (
              <li key={c.number}>
                {it('copy.number', { n: c.number })}：{it(`copy.${c.status}`)}
                {c.by ? `（${names.person(c.by)}${c.at ? `，${formatDateTime(c.at, locale)}` : ''}）` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
