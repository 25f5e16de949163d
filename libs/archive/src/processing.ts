/**
 * The processing record (文件处理单 / 发文稿纸) of a filed item, from the document's hash-chained audit trail:
 * every business action with its stage, person and time, and a summary of who drafted, consolidated, discussed,
 * proofread, reviewed, signed, registered, distributed and filed it.
 */

export interface AuditEntry {
  seq: number;
  eventType: string;
  actor: { id: string; username: string; name: string };
  roles: string[];
  fromState: string | null;
  toState: string;
  reason: string | null;
  revisionNumber: number | null;
  revisionHash: string | null;
  at: string;
  prevHash: string | null;
  /** Null for the FILE event itself: its audit record is written after the filing, in the same transaction. */
  hash: string | null;
  /** The event's payload without actor and time. */
  details: Record<string, unknown>;
}

/** Stage (办理环节) and action (操作) names of each event. */
const ACTIONS: Record<string, [string, string]> = {
  CREATE: ['起草', '立项拟稿'],
  ADD_SECTION: ['起草', '增加分节'],
  EDIT_SECTION: ['起草', '分口起草'],
  SUBMIT_SECTION: ['起草', '提交分节'],
  START_CONSOLIDATION: ['统稿', '开始统稿'],
  EDIT_CONTENT: ['统稿', '修改文稿'],
  RETURN_SECTION: ['统稿', '退回分节'],
  MARK_MAJOR: ['统稿', '列为大型综合材料'],
  START_DISCUSSION: ['集体讨论', '发起讨论'],
  SKIP_DISCUSSION: ['统稿', '不经集体讨论'],
  COMMENT: ['集体讨论', '发表意见'],
  CLOSE_DISCUSSION: ['集体讨论', '结束讨论'],
  ADD_MARK: ['校对', '标注问题'],
  DISMISS_MARK: ['校对', '撤销标注'],
  PASS_PROOFREADING: ['校对', '校对通过'],
  REVIEW: ['审核', '核稿'],
  SIGN: ['签发', '签发'],
  REJECT: ['签发', '退回'],
  REGISTER: ['复核登记', '复核、登记、编号'],
  OPEN: ['分发传阅', '阅知'],
  ACKNOWLEDGE: ['分发传阅', '签收'],
  REMIND: ['分发传阅', '催办'],
  CLOSE_CIRCULATION: ['分发传阅', '结束传阅'],
  FILE: ['归档', '归档'],
  RETURN: ['退回', '退回修改'],
  WITHDRAW: ['撤回', '撤回'],
};

const POSITIONS: Record<string, string> = { agree: '同意', agree_with_changes: '修改后同意', object: '不同意' };

export interface ProcessingStep {
  seq: number;
  stage: string;
  action: string;
  eventType: string;
  actor: { id: string; username: string; name: string };
  at: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
  opinion: string | null;
  revisionNumber: number | null;
  revisionHash: string | null;
  hash: string | null;
}

export interface ProcessingSummaryLine {
  /** e.g. 拟稿 */
  role: string;
  names: string[];
  /** first and last time */
  from: string | null;
  to: string | null;
  notes: string[];
}

export interface ProcessingRecord {
  steps: ProcessingStep[];
  summary: ProcessingSummaryLine[];
  /** Hash of the last audit event covered (the head of the chain when filed). */
  headHash: string | null;
}

function opinionOf(e: AuditEntry): string | null {
  const d = e.details;
  if (e.eventType === 'COMMENT')
    return `${POSITIONS[String(d.position)] ?? String(d.position ?? '')}${d.text ? `：${String(d.text)}` : ''}`;
  if (e.eventType === 'REVIEW' && Array.isArray(d.checks)) {
    return (d.checks as { item: number; passed: boolean; comment?: string }[])
      .map((c) => `第${c.item}项${c.passed ? '通过' : '未通过'}${c.comment ? `（${c.comment}）` : ''}`)
      .join('；');
  }
  if (e.eventType === 'REGISTER') return `发文字号 ${String(d.documentNumber ?? '')}，${String(d.copies ?? '')}份`;
  if (e.eventType === 'CLOSE_DISCUSSION') return d.decision === 'accept' ? '通过' : '修改';
  if (e.eventType === 'FILE') return `保管期限 ${String(d.retention ?? '')}`;
  if (typeof d.opinion === 'string' && d.opinion) return d.opinion;
  if (typeof d.comment === 'string' && d.comment) return d.comment;
  return null;
}

export function processingRecord(entries: AuditEntry[]): ProcessingRecord {
  const steps: ProcessingStep[] = entries.map((e) => {
    const [stage, action] = ACTIONS[e.eventType] ?? ['其他', e.eventType];
    return {
      seq: e.seq,
      stage,
      action,
      eventType: e.eventType,
      actor: e.actor,
      at: e.at,
      fromState: e.fromState,
      toState: e.toState,
      reason: e.reason,
      opinion: opinionOf(e),
      revisionNumber: e.revisionNumber,
      revisionHash: e.revisionHash,
      hash: e.hash,
    };
  });
  const line = (role: string, pick: (s: ProcessingStep) => boolean, note?: (s: ProcessingStep) => string | null): ProcessingSummaryLine => {
    const ss = steps.filter(pick);
    const names = [...new Set(ss.map((s) => s.actor.name))];
    return {
      role,
      names,
      from: ss[0]?.at ?? null,
      to: ss.at(-1)?.at ?? null,
      notes: note ? ss.map(note).filter((x): x is string => !!x) : [],
    };
  };
  const summary = [
    line(
      '拟稿',
      (s) => ['EDIT_SECTION', 'SUBMIT_SECTION'].includes(s.eventType) || (s.eventType === 'EDIT_CONTENT' && s.fromState === 'drafting'),
    ),
    line(
      '统稿',
      (s) =>
        ['START_CONSOLIDATION', 'RETURN_SECTION', 'SKIP_DISCUSSION', 'MARK_MAJOR'].includes(s.eventType) ||
        (s.eventType === 'EDIT_CONTENT' && s.fromState === 'consolidation'),
    ),
    line(
      '集体讨论',
      (s) => ['START_DISCUSSION', 'COMMENT', 'CLOSE_DISCUSSION'].includes(s.eventType),
      (s) => (s.eventType === 'COMMENT' ? `${s.actor.name}：${s.opinion ?? ''}` : null),
    ),
    line(
      '校对',
      (s) =>
        ['ADD_MARK', 'DISMISS_MARK', 'PASS_PROOFREADING'].includes(s.eventType) ||
        (s.eventType === 'EDIT_CONTENT' && s.fromState === 'proofreading'),
    ),
    line(
      '审核',
      (s) => s.eventType === 'REVIEW',
      (s) => s.opinion,
    ),
    line(
      '签发',
      (s) => s.eventType === 'SIGN',
      (s) => (s.opinion ? `${s.actor.name}：${s.opinion}` : null),
    ),
    line(
      '复核登记',
      (s) => s.eventType === 'REGISTER',
      (s) => s.opinion,
    ),
    line('分发传阅', (s) => ['OPEN', 'ACKNOWLEDGE', 'REMIND', 'CLOSE_CIRCULATION'].includes(s.eventType)),
    line(
      '归档',
      (s) => s.eventType === 'FILE',
      (s) => s.opinion,
    ),
  ];
  return { steps, summary, headHash: [...entries].reverse().find((e) => e.hash)?.hash ?? null };
}

/** One signature on the processing sheet: who, what they wrote, when. */
export interface SheetEntry {
  name: string;
  opinion: string | null;
  at: string;
}

/** One line of the 发文稿纸 (拟稿, 核稿, 会签, 签发 …) with everyone who acted in that step. */
export interface SheetLine {
  role: '拟稿' | '统稿' | '集体讨论' | '校对' | '核稿' | '会签' | '签发' | '登记印发';
  entries: SheetEntry[];
}

/**
 * The processing sheet (发文稿纸) as offices print it, from the processing record: each step with person, opinion and
 * date, in the order the sheet lists them (签发 at the top). 会签 are the signatures of the co-issuing bodies of a joint
 * document, 签发 the lead body's; a person who drafted several times appears once, with the last date.
 */
export function draftingSheet(record: ProcessingRecord, entries: readonly AuditEntry[], leadIssuerUnitId: string | undefined): SheetLine[] {
  const details = new Map(entries.map((e) => [e.seq, e.details]));
  const entry = (s: ProcessingStep, opinion = s.opinion): SheetEntry => ({ name: s.actor.name, opinion, at: s.at });
  const lastPerPerson = (ss: ProcessingStep[]): SheetEntry[] => {
    const byName = new Map<string, SheetEntry>();
    for (const s of ss) byName.set(s.actor.id, entry(s, null));
    return [...byName.values()];
  };
  const steps = record.steps;
  const is =
    (...types: string[]) =>
    (s: ProcessingStep) =>
      types.includes(s.eventType);
  const signs = steps.filter(is('SIGN'));
  const lead = (s: ProcessingStep) => leadIssuerUnitId === undefined || details.get(s.seq)?.issuerUnitId === leadIssuerUnitId;
  const lines: SheetLine[] = [
    { role: '签发', entries: signs.filter(lead).map((s) => entry(s)) },
    { role: '会签', entries: signs.filter((s) => !lead(s)).map((s) => entry(s)) },
    { role: '核稿', entries: steps.filter(is('REVIEW')).map((s) => entry(s)) },
    { role: '校对', entries: steps.filter(is('PASS_PROOFREADING')).map((s) => entry(s, s.opinion ?? '校对无误')) },
    {
      role: '集体讨论',
      entries: steps.filter(is('COMMENT', 'CLOSE_DISCUSSION')).map((s) => entry(s)),
    },
    {
      role: '统稿',
      entries: lastPerPerson(
        steps.filter(
          (s) => is('START_CONSOLIDATION', 'SKIP_DISCUSSION')(s) || (s.eventType === 'EDIT_CONTENT' && s.fromState === 'consolidation'),
        ),
      ),
    },
    {
      role: '拟稿',
      entries: lastPerPerson(
        steps.filter(
          (s) => is('CREATE', 'EDIT_SECTION', 'SUBMIT_SECTION')(s) || (s.eventType === 'EDIT_CONTENT' && s.fromState === 'drafting'),
        ),
      ),
    },
    { role: '登记印发', entries: steps.filter(is('REGISTER')).map((s) => entry(s)) },
  ];
  return lines;
}
