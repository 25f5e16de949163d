import { ASSIST, ASSIST2, AT, CAST, DEADLINE_DAY_AT, LEAD, OVERDUE_AT, allMet, ev, reach, run, sampleInput } from './fixtures.js';
import { applyEvent, createSupervisionSnapshot, initialContext, type SupervisionSnapshot } from './machine.js';
import { currentTasks } from './tasks.js';
import type { SupervisionEvent } from './types.js';

const c = CAST;

function refused(s: SupervisionSnapshot, e: SupervisionEvent): string[] {
  const r = applyEvent(s, e);
  expect(r.accepted).toBe(false);
  expect(r.snapshot).toBe(s);
  return r.violation!.conditions.map((x) => x.code);
}

const extension = (newDeadline = '2026-04-30') => ({ reason: '施工许可延迟', progress: '已开工 3 部', newDeadline });

describe('registration and assignment (立项、交办)', () => {
  it('starts registered with the register fields, no colour, nothing signed', () => {
    const s = createSupervisionSnapshot(sampleInput());
    expect(s.value).toBe('registered');
    expect(s.context).toMatchObject({
      itemNumber: '督〔2026〕12号',
      leadUnitId: LEAD,
      assistingUnitIds: [ASSIST, ASSIST2],
      colour: 'none',
    });
    expect(s.context.signatures).toEqual([]);
  });

  it('the input is copied, not shared', () => {
    const input = sampleInput();
    const ctx = initialContext(input);
    input.assistingUnitIds.push('unit-x');
    expect(ctx.assistingUnitIds).toEqual([ASSIST, ASSIST2]);
  });

  it('the supervisor assigns; without an item number it is refused', () => {
    const s = run(reach('registered'), [ev('ASSIGN', c.sup, { noticeFileId: 'n1' })]);
    expect(s.value).toBe('assigned');
    expect(s.context.assignment).toEqual({ by: c.sup.userId, at: AT, noticeFileId: 'n1' });
    expect(refused(reach('registered', sampleInput({ itemNumber: '' })), ev('ASSIGN', c.sup, {}))).toEqual(['ITEM_NUMBER_REQUIRED']);
    expect(refused(reach('registered'), ev('ASSIGN', c.leadH, {}))).toEqual(['ROLE_REQUIRED']);
    expect(refused(reach('registered'), ev('ASSIGN', c.admin, {}))).toEqual(['ADMIN_CANNOT_ACT']);
  });

  it('every unit signs for the notice, once, through its own staff; the last signature starts the work', () => {
    let s = reach('assigned');
    s = run(s, [ev('SIGN_FOR', c.leadR, {})]);
    expect(s.value).toBe('assigned');
    expect(refused(s, ev('SIGN_FOR', c.leadH, {}))).toEqual(['ALREADY_SIGNED_FOR']);
    expect(refused(s, ev('SIGN_FOR', c.otherH, {}))).toEqual(['NOT_ASSIGNED_UNIT']);
    expect(refused(s, ev('SIGN_FOR', c.leadChief, {}))).toEqual(['NOT_ASSIGNED_UNIT']);
    expect(currentTasks('assigned', s.context).taskRoles.sort()).toEqual(
      [`handler@${ASSIST}`, `registrar@${ASSIST}`, `handler@${ASSIST2}`, `registrar@${ASSIST2}`].sort(),
    );
    s = run(s, [ev('SIGN_FOR', c.assistH, {})]);
    expect(s.value).toBe('assigned');
    s = run(s, [ev('SIGN_FOR', c.assist2R, {})]);
    expect(s.value).toBe('in_progress');
    expect(s.context.signatures.map((x) => [x.unitId, x.by])).toEqual([
      [LEAD, c.leadR.userId],
      [ASSIST, c.assistH.userId],
      [ASSIST2, c.assist2R.userId],
    ]);
  });

  it('an item with no assisting unit starts when the lead unit signs', () => {
    const s = run(reach('assigned', sampleInput({ assistingUnitIds: [] })), [ev('SIGN_FOR', c.leadH, {})]);
    expect(s.value).toBe('in_progress');
  });
});

describe('feedback (反馈)', () => {
  it('the lead unit reports, assisting units contribute; not the other way round', () => {
    let s = reach('in_progress');
    s = run(s, [
      ev('FEEDBACK', c.leadH, { text: ' 第一周进展 ', attachments: [{ fileId: 'f1', name: '进展.docx' }] }),
      ev('CONTRIBUTE', c.assistH, { text: '协办意见' }),
    ]);
    expect(s.context.feedback.map((f) => [f.kind, f.unitId, f.text])).toContainEqual(['feedback', LEAD, '第一周进展']);
    expect(refused(s, ev('FEEDBACK', c.assistH, { text: 'x' }))).toEqual(['NOT_LEAD_UNIT']);
    expect(refused(s, ev('CONTRIBUTE', c.leadH, { text: 'x' }))).toEqual(['NOT_ASSISTING_UNIT']);
    expect(refused(s, ev('FEEDBACK', c.leadH, { text: '  ' }))).toEqual(['TEXT_REQUIRED']);
    expect(refused(s, ev('FEEDBACK', c.leadH, { text: 'x', attachments: [{ fileId: '', name: 'a' }] }))).toEqual(['INVALID_ATTACHMENT']);
  });
});

describe('extensions (延期)', () => {
  it('asked before the deadline, reviewed by the supervisor, approved by the instructing leader: new deadline, colour reset', () => {
    let s = run(reach('in_progress'), [ev('ISSUE_CARD', c.system, { colour: 'blue', reason: '临近期限' })]);
    s = run(s, [ev('REQUEST_EXTENSION', c.leadH, extension(), DEADLINE_DAY_AT)]);
    expect(refused(s, ev('REQUEST_EXTENSION', c.leadH, extension('2026-05-30'), DEADLINE_DAY_AT))).toEqual(['EXTENSION_PENDING']);
    expect(refused(s, ev('DECIDE_EXTENSION', c.leader, { decision: 'approve' }))).toEqual(['NO_EXTENSION_TO_DECIDE']);
    expect(currentTasks('in_progress', s.context).taskRoles).toContain('supervisor');
    s = run(s, [ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: '理由充分' })]);
    expect(currentTasks('in_progress', s.context).assigneeIds).toEqual([c.leader.userId]);
    expect(refused(s, ev('DECIDE_EXTENSION', c.otherLeader, { decision: 'approve' }))).toEqual(['NOT_INSTRUCTING_LEADER']);
    expect(refused(s, ev('DECIDE_EXTENSION', c.sup, { decision: 'approve' }))).toEqual(['ROLE_REQUIRED', 'NOT_INSTRUCTING_LEADER']);
    s = run(s, [ev('DECIDE_EXTENSION', c.leader, { decision: 'approve' }, OVERDUE_AT)]);
    expect(s.context.deadline).toBe('2026-04-30');
    expect(s.context.colour).toBe('none');
    expect(s.context.colourResets).toEqual([{ from: 'blue', cause: 'extension', at: OVERDUE_AT }]);
    expect(s.context.extensions[0]).toMatchObject({ status: 'approved', previousDeadline: '2026-03-31', newDeadline: '2026-04-30' });
    // after the approval the item is no longer overdue: no red card
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT))).toEqual(['NOT_OVERDUE']);
  });

  it('after the deadline (office calendar): no extension, only escalation', () => {
    const s = reach('in_progress');
    expect(refused(s, ev('REQUEST_EXTENSION', c.leadH, extension(), OVERDUE_AT))).toEqual(['DEADLINE_PASSED']);
    const red = run(s, [ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期未办结' }, OVERDUE_AT)]);
    expect(red.context.colour).toBe('red');
    expect(red.context.redSince).toBe(OVERDUE_AT);
  });

  it('refused by the supervisor or by the leader: the deadline stays', () => {
    let s = run(reach('in_progress'), [ev('REQUEST_EXTENSION', c.leadH, extension())]);
    s = run(s, [ev('REVIEW_EXTENSION', c.sup, { decision: 'refuse', opinion: '理由不充分' })]);
    expect(s.context.extensions[0].status).toBe('refused');
    expect(s.context.deadline).toBe('2026-03-31');
    s = run(s, [ev('REQUEST_EXTENSION', c.leadH, extension())]);
    s = run(s, [ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: '请领导定' })]);
    expect(refused(s, ev('DECIDE_EXTENSION', c.leader, { decision: 'refuse' }))).toEqual(['OPINION_REQUIRED']);
    s = run(s, [ev('DECIDE_EXTENSION', c.leader, { decision: 'refuse', opinion: '必须按期完成' })]);
    expect(s.context.extensions.map((x) => x.status)).toEqual(['refused', 'refused']);
    expect(s.context.deadline).toBe('2026-03-31');
  });

  it('checks the request itself', () => {
    const s = reach('in_progress');
    expect(refused(s, ev('REQUEST_EXTENSION', c.leadH, { reason: '', progress: '', newDeadline: '2026-03-31' })).sort()).toEqual(
      ['DEADLINE_NOT_LATER', 'PROGRESS_REQUIRED', 'REASON_REQUIRED'].sort(),
    );
    expect(refused(s, ev('REQUEST_EXTENSION', c.leadH, extension('2026-02-30')))).toEqual(['INVALID_DATE']);
    expect(refused(s, ev('REQUEST_EXTENSION', c.assistH, extension()))).toEqual(['NOT_LEAD_UNIT']);
    expect(refused(s, ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: 'x' }))).toEqual(['NO_EXTENSION_TO_REVIEW']);
  });

  it('a result submitted while an extension waits withdraws it', () => {
    const s = run(reach('in_progress'), [ev('REQUEST_EXTENSION', c.leadH, extension()), ev('SUBMIT_RESULT', c.leadH, { text: '已完成' })]);
    expect(s.value).toBe('review');
    expect(s.context.extensions[0].status).toBe('withdrawn');
  });
});

describe('colour cards (亮牌)', () => {
  it('only the system issues them, colours only go up, red only when overdue', () => {
    let s = reach('assigned');
    expect(refused(s, ev('ISSUE_CARD', c.sup, { colour: 'blue', reason: 'x' }))).toEqual(['SYSTEM_ONLY']);
    s = run(s, [ev('ISSUE_CARD', c.system, { colour: 'blue', reason: '临近期限' })]);
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'blue', reason: 'again' }))).toEqual(['COLOUR_NOT_HIGHER']);
    s = run(s, [ev('ISSUE_CARD', c.system, { colour: 'yellow', reason: '反馈逾期' })]);
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'blue', reason: 'down' }))).toEqual(['COLOUR_NOT_HIGHER']);
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'red', reason: 'early' }, DEADLINE_DAY_AT))).toEqual(['NOT_OVERDUE']);
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'green' as never, reason: 'x' }))).toEqual(['INVALID_COLOUR']);
    s = run(s, [ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT)]);
    expect(s.context.cards.map((x) => x.colour)).toEqual(['blue', 'yellow', 'red']);
    expect(refused(s, ev('ISSUE_CARD', c.system, { colour: 'red', reason: 'again' }, OVERDUE_AT))).toEqual(['COLOUR_NOT_HIGHER']);
  });

  it('a card skips colours when the item is late at once (red straight away)', () => {
    const s = run(reach('in_progress'), [ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT)]);
    expect(s.context.colour).toBe('red');
  });

  it('reminders: the system or a supervisor, with targets and a level', () => {
    let s = reach('in_progress');
    s = run(s, [
      ev('REMIND', c.system, { targets: [LEAD, c.respLeader.userId, LEAD], level: 'urgent' }),
      ev('REMIND', c.sup, { targets: [LEAD], level: 'routine', note: '电话催办' }),
    ]);
    expect(s.context.reminders.map((r) => r.targets)).toEqual([[LEAD, c.respLeader.userId], [LEAD]]);
    expect(refused(s, ev('REMIND', c.leadH, { targets: [LEAD], level: 'urgent' }))).toEqual(['ROLE_REQUIRED']);
    expect(refused(s, ev('REMIND', c.sup, { targets: [], level: 'loud' as never })).sort()).toEqual(['INVALID_LEVEL', 'TARGETS_REQUIRED']);
  });
});

describe('review and closure (审结)', () => {
  it('closes only with every criterion checked and met', () => {
    const s = reach('review');
    const four = allMet().slice(0, 4);
    expect(refused(s, ev('CLOSE', c.sup, { criteria: four }))).toEqual(['CRITERIA_INCOMPLETE']);
    expect(refused(s, ev('CLOSE', c.sup, { criteria: [...four, { criterion: 'format_correct', met: false }] }))).toEqual([
      'CRITERION_NOT_MET',
    ]);
    expect(refused(s, ev('CLOSE', c.sup, { criteria: [...allMet(), { criterion: 'task_done', met: true }] }))).toEqual([
      'DUPLICATE_CRITERION',
    ]);
    expect(refused(s, ev('CLOSE', c.sup, { criteria: [...four, { criterion: 'pretty' as never, met: true }] })).sort()).toEqual([
      'CRITERIA_INCOMPLETE',
      'INVALID_CRITERION',
    ]);
    expect(refused(s, ev('CLOSE', c.leader, { criteria: allMet() }))).toEqual(['ROLE_REQUIRED']);
    const closed = run(s, [ev('CLOSE', c.sup, { criteria: allMet(), conclusion: ' 办结 ' })]);
    expect(closed.value).toBe('closed');
    expect(closed.context.closure).toMatchObject({ by: c.sup.userId, conclusion: '办结' });
  });

  it('sending back (退回重办) needs reasons, returns to the units and raises the colour to yellow', () => {
    const s = reach('review');
    expect(refused(s, ev('SEND_BACK', c.sup, { reasons: [' '] }))).toEqual(['REASONS_REQUIRED']);
    const back = run(s, [ev('SEND_BACK', c.sup, { reasons: ['数据不实', ''], failedCriteria: ['facts_clear'] })]);
    expect(back.value).toBe('in_progress');
    expect(back.context.colour).toBe('yellow');
    expect(back.context.cards).toEqual([{ colour: 'yellow', reason: '数据不实', by: c.sup.userId, at: AT, cause: 'send_back' }]);
    expect(back.context.sendBacks[0]).toMatchObject({ reasons: ['数据不实'], failedCriteria: ['facts_clear'] });
    // the assisting units owe a contribution again in the new round
    expect(currentTasks('in_progress', back.context).taskRoles).toContain(`handler@${ASSIST}`);
  });

  it('a red item sent back stays red', () => {
    const red = run(reach('in_progress'), [
      ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT),
      ev('SUBMIT_RESULT', c.leadH, { text: '补报' }, OVERDUE_AT),
    ]);
    const back = run(red, [ev('SEND_BACK', c.sup, { reasons: ['不完整'] }, OVERDUE_AT)]);
    expect(back.context.colour).toBe('red');
    expect(back.context.cards.map((x) => x.cause)).toEqual(['card']);
  });

  it('the instructing leader reopens a closed item with a new instruction and deadline; the colour starts again', () => {
    const closed = run(reach('in_progress'), [
      ev('ISSUE_CARD', c.system, { colour: 'yellow', reason: '反馈滞后' }),
      ev('SUBMIT_RESULT', c.leadH, { text: '完成' }),
      ev('CLOSE', c.sup, { criteria: allMet() }),
    ]);
    expect(refused(closed, ev('REOPEN', c.otherLeader, { instruction: '再查', deadline: '2026-06-30' }))).toEqual([
      'NOT_INSTRUCTING_LEADER',
    ]);
    expect(refused(closed, ev('REOPEN', c.leader, { instruction: '', deadline: '2026-03-01' })).sort()).toEqual([
      'DEADLINE_IN_PAST',
      'INSTRUCTION_REQUIRED',
    ]);
    const reopened = run(closed, [ev('REOPEN', c.leader, { instruction: '请持续跟踪', deadline: '2026-06-30' })]);
    expect(reopened.value).toBe('in_progress');
    expect(reopened.context).toMatchObject({ deadline: '2026-06-30', colour: 'none' });
    expect(reopened.context.reopenings[0]).toMatchObject({ previousDeadline: '2026-03-31', deadline: '2026-06-30' });
    expect(reopened.context.colourResets).toEqual([{ from: 'yellow', cause: 'reopen', at: AT }]);
  });
});

describe('accountability (问责), cancellation (撤销), filing (归档)', () => {
  it('accountability is recorded by the supervisor, only on items that went red, even after closure', () => {
    expect(refused(reach('in_progress'), ev('RECORD_ACCOUNTABILITY', c.sup, { text: '约谈' }))).toEqual(['NEVER_RED']);
    let s = run(reach('in_progress'), [
      ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT),
      ev('SUBMIT_RESULT', c.leadH, { text: '完成' }, OVERDUE_AT),
      ev('CLOSE', c.sup, { criteria: allMet() }, OVERDUE_AT),
    ]);
    expect(refused(s, ev('RECORD_ACCOUNTABILITY', c.sup, { text: ' ' }))).toEqual(['TEXT_REQUIRED']);
    expect(refused(s, ev('RECORD_ACCOUNTABILITY', c.leader, { text: '约谈' }))).toEqual(['ROLE_REQUIRED']);
    s = run(s, [ev('RECORD_ACCOUNTABILITY', c.sup, { text: '对主办单位负责人约谈提醒' })]);
    expect(s.context.accountability).toEqual([{ by: c.sup.userId, text: '对主办单位负责人约谈提醒', at: AT }]);
  });

  it('the supervisor cancels with a reason; the cancelled item is read-only', () => {
    const s = reach('in_progress');
    expect(refused(s, ev('CANCEL', c.sup, { reason: '' }))).toEqual(['REASON_REQUIRED']);
    expect(refused(s, ev('CANCEL', c.leadH, { reason: 'x' }))).toEqual(['ROLE_REQUIRED']);
    const cancelled = run(s, [ev('CANCEL', c.sup, { reason: '上级已统一部署' })]);
    expect(cancelled.value).toBe('cancelled');
    expect(cancelled.status).toBe('done');
    expect(refused(cancelled, ev('FEEDBACK', c.leadH, { text: 'x' }))).toEqual(['FINAL_STATE']);
  });

  it('the archivist files a closed item; filed items take nothing more', () => {
    const closed = reach('closed');
    expect(refused(closed, ev('FILE', c.arch, { retention: 'forever' as never }))).toEqual(['INVALID_RETENTION']);
    expect(refused(closed, ev('FILE', c.sup, { retention: 'Y' }))).toEqual(['ROLE_REQUIRED']);
    const archived = run(closed, [ev('FILE', c.arch, { retention: 'Y' })]);
    expect(archived.value).toBe('archived');
    expect(archived.status).toBe('done');
    expect(refused(archived, ev('REOPEN', c.leader, { instruction: 'x', deadline: '2026-12-31' }))).toEqual(['FINAL_STATE']);
  });

  it('events outside their state and events without an actor are refused with a reason', () => {
    expect(refused(reach('registered'), ev('FEEDBACK', c.leadH, { text: 'x' }))).toEqual(['EVENT_NOT_AVAILABLE']);
    expect(refused(reach('in_progress'), ev('FEEDBACK', undefined as never, { text: 'x' }))).toEqual(['NO_ACTOR']);
    expect(refused(reach('in_progress'), ev('FEEDBACK', c.leadH, { text: 'x' }, 'yesterday'))).toEqual(['INVALID_INSTANT']);
  });
});
