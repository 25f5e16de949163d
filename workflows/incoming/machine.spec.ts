import { AT, CAST, DEPT_A, DEPT_B, DEPT_C, OTHER_UNIT, allPassed, ev, reach, registerFields, run, sampleInput } from './fixtures.js';
import { applyEvent, createIncomingSnapshot, initialContext, validateIncomingInput, type IncomingSnapshot } from './machine.js';
import { VIOLATION_CODES, currentHolders } from './policy.js';
import type { Actor, IncomingEvent } from './types.js';

const c = CAST;

/** The codes of a refused event (and checks it was refused, unchanged). */
function refusal(s: IncomingSnapshot, e: IncomingEvent): string[] {
  const r = applyEvent(s, e);
  expect(r.accepted).toBe(false);
  expect(r.snapshot).toBe(s);
  expect(r.violation?.gate).toBe(s.value);
  const codes = r.violation!.conditions.map((x) => x.code);
  for (const code of codes) expect(VIOLATION_CODES).toContain(code);
  for (const x of r.violation!.conditions) expect(x.message.length).toBeGreaterThan(10);
  return codes;
}

function accept(s: IncomingSnapshot, e: IncomingEvent): IncomingSnapshot {
  const r = applyEvent(s, e);
  if (!r.accepted) throw new Error(`${e.type} refused: ${JSON.stringify(r.violation)}`);
  return r.snapshot;
}

const instructEvent = (over: Record<string, unknown> = {}, actor: Actor = c.leader1) =>
  ev('INSTRUCT', actor, {
    instruction: '请发展科办理。',
    lead: { departmentId: DEPT_A, deadline: '2026-03-15' },
    assisting: [{ departmentId: DEPT_B, deadline: '2026-03-12' }],
    ...over,
  });

describe('start', () => {
  it('an exchange delivery starts in receipt, an external item in registration', () => {
    expect(createIncomingSnapshot(sampleInput()).value).toBe('receipt');
    const ext = createIncomingSnapshot(sampleInput({ source: { kind: 'external', medium: 'paper' } }));
    expect(ext.value).toBe('registration');
    expect(ext.status).toBe('active');
    expect(ext.context).toEqual(initialContext(sampleInput({ source: { kind: 'external', medium: 'paper' } })));
    // and the external item goes on from there
    expect(
      run(ext, [ev('REGISTER', c.registrar, { receiveNumber: '收〔2026〕1号', serial: 1, year: 2026, fields: registerFields() })]).value,
    ).toBe('check');
  });

  it('a classified item has numbered copies, an unclassified one none', () => {
    expect(initialContext(sampleInput()).copies).toEqual([
      { number: 1, status: 'held' },
      { number: 2, status: 'held' },
    ]);
    expect(initialContext(sampleInput({ classification: 'none' })).copies).toEqual([]);
  });

  it('validateIncomingInput names what is missing', () => {
    expect(validateIncomingInput(sampleInput())).toEqual([]);
    expect(validateIncomingInput(sampleInput({ unitId: '', copies: 0, senderName: ' ' }))).toHaveLength(3);
  });
});

describe('receipt and registration', () => {
  it('the registrar of the unit signs for the delivery, counting the copies', () => {
    const s = accept(reach('receipt'), ev('SIGN_FOR', c.registrar, { copies: 3 }));
    expect(s.value).toBe('registration');
    expect(s.context.receipt).toEqual({ by: c.registrar.userId, at: AT, copies: 3 });
    expect(s.context.copies.map((x) => x.number)).toEqual([1, 2, 3]);
  });

  it('a registrar of another unit, a chief or the system cannot sign for it', () => {
    expect(refusal(reach('receipt'), ev('SIGN_FOR', c.otherRegistrar, { copies: 2 }))).toEqual(['NOT_UNIT_REGISTRAR']);
    expect(refusal(reach('receipt'), ev('SIGN_FOR', c.chief, { copies: 2 }))).toEqual(['ROLE_REQUIRED']);
    expect(refusal(reach('receipt'), ev('SIGN_FOR', c.system, { copies: 2 }))).toEqual(['ROLE_REQUIRED']);
    expect(refusal(reach('receipt'), ev('SIGN_FOR', c.admin, { copies: 2 }))).toEqual(['ADMIN_CANNOT_ACT']);
    expect(refusal(reach('receipt'), ev('SIGN_FOR', c.registrar, { copies: 0 }))).toEqual(['INVALID_COPIES']);
  });

  it('REGISTER carries the allocated number: present, of the year of registration, saying its year and serial', () => {
    const s = reach('registration');
    const reg = (receiveNumber: string, serial: number, year: number, at = AT) =>
      ev('REGISTER', c.registrar, { receiveNumber, serial, year, fields: registerFields() }, at);
    expect(refusal(s, reg('', 12, 2026))).toEqual(['RECEIVE_NUMBER_REQUIRED']);
    expect(refusal(s, reg('收〔2026〕12号', 0, 2026))).toEqual(['INVALID_SERIAL']);
    expect(refusal(s, reg('收〔2025〕12号', 12, 2025))).toEqual(['YEAR_MISMATCH']);
    expect(refusal(s, reg('收〔2026〕13号', 12, 2026))).toEqual(['RECEIVE_NUMBER_MISMATCH']);
    expect(refusal(s, reg('收〔2026〕号', 2026, 2026))).toEqual(['RECEIVE_NUMBER_MISMATCH']);
    expect(refusal(s, reg('收12号', 12, 2026))).toEqual(['RECEIVE_NUMBER_MISMATCH']);
    expect(refusal(s, reg('收〔2026〕12号', 12, 26))).toEqual(['INVALID_YEAR']);
    // zero padding and other layouts are the API's choice
    expect(accept(s, reg('2026-0012', 12, 2026)).value).toBe('check');
    // New Year's Day in Beijing is still 31 December in UTC: either year is the year of registration
    expect(accept(s, reg('收〔2027〕1号', 1, 2027, '2026-12-31T17:00:00.000Z')).value).toBe('check');
  });

  it('REGISTER checks the register fields and records them, replacing the delivery’s classification and urgency', () => {
    const s = reach('registration');
    const bad = ev('REGISTER', c.registrar, {
      receiveNumber: '收〔2026〕12号',
      serial: 12,
      year: 2026,
      fields: registerFields({ title: ' ', senderName: '', urgency: 'soon' as never, copies: 0, dueDate: '2026-3-1' }),
    });
    expect(refusal(s, bad).sort()).toEqual(['INVALID_COPIES', 'INVALID_DATE', 'INVALID_URGENCY', 'SENDER_REQUIRED', 'TITLE_REQUIRED']);
    const ok = accept(
      s,
      ev('REGISTER', c.registrar, {
        receiveNumber: ' 收〔2026〕12号 ',
        serial: 12,
        year: 2026,
        fields: registerFields({ classification: 'secret', urgency: 'none', copies: 3, dueDate: '2026-04-01' }),
      }),
    );
    expect(ok.context.register).toMatchObject({ receiveNumber: '收〔2026〕12号', serial: 12, year: 2026, by: c.registrar.userId, at: AT });
    expect([ok.context.classification, ok.context.urgency, ok.context.deadline]).toEqual(['secret', 'none', '2026-04-01']);
    expect(ok.context.copies).toHaveLength(3);
    const plain = accept(
      s,
      ev('REGISTER', c.registrar, {
        receiveNumber: '收〔2026〕12号',
        serial: 12,
        year: 2026,
        fields: registerFields({ classification: 'none' }),
      }),
    );
    expect(plain.context.copies).toEqual([]);
  });
});

describe('check (初审)', () => {
  it('all five checks must pass; a failed one means returning the item', () => {
    const s = reach('check');
    const failed = allPassed().map((x) => (x.item === 2 ? { item: 2 as const, passed: false, comment: '无发文机关印章' } : x));
    expect(refusal(s, ev('PASS_CHECK', c.registrar, { checks: failed, route: 'action' }))).toEqual(['CHECK_FAILED']);
    expect(refusal(s, ev('PASS_CHECK', c.registrar, { checks: allPassed().slice(1), route: 'action' }))).toEqual(['CHECK_INCOMPLETE']);
    expect(refusal(s, ev('PASS_CHECK', c.registrar, { checks: [...allPassed(), { item: 1, passed: true }], route: 'action' }))).toEqual([
      'CHECK_DUPLICATE',
    ]);
    expect(refusal(s, ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'later' as never }))).toEqual(['INVALID_ROUTE']);
  });

  it('for information it goes straight to circulation, with its readers', () => {
    const s = reach('check');
    expect(refusal(s, ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'information' }))).toEqual(['READERS_REQUIRED']);
    expect(
      refusal(s, ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'information', readerIds: [c.read1.userId, c.read1.userId] })),
    ).toEqual(['DUPLICATE_READER']);
    const next = accept(
      s,
      ev('PASS_CHECK', c.registrar, {
        checks: allPassed(),
        route: 'information',
        readerIds: [c.read1.userId, c.read2.userId],
        order: 'parallel',
      }),
    );
    expect(next.value).toBe('circulation');
    expect(next.context.route).toBe('information');
    expect(next.context.circulation).toEqual({
      order: 'parallel',
      readers: [{ userId: c.read1.userId }, { userId: c.read2.userId }],
      takeBacks: [],
      startedAt: AT,
    });
  });

  it('for action it goes to the chief', () => {
    const next = accept(reach('check'), ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'action' }));
    expect(next.value).toBe('proposal');
    expect(next.context.checks?.items).toHaveLength(5);
  });

  it('returning to the sender needs a reason, and after the check the failed items', () => {
    const s = reach('check');
    expect(refusal(s, ev('RETURN_TO_SENDER', c.registrar, { reason: '' })).sort()).toEqual(['FAILED_CHECKS_REQUIRED', 'REASON_REQUIRED']);
    expect(refusal(s, ev('RETURN_TO_SENDER', c.registrar, { reason: '无印章', failedChecks: [6] }))).toEqual(['CHECK_INVALID_ITEM']);
    const back = accept(s, ev('RETURN_TO_SENDER', c.registrar, { reason: '无印章', failedChecks: [2] }));
    expect(back.value).toBe('returned');
    expect(back.status).toBe('done');
    expect(back.context.returnToSender).toEqual({ by: c.registrar.userId, reason: '无印章', failedChecks: [2], at: AT });
    // at receipt no check has been made: a reason is enough
    expect(accept(reach('receipt'), ev('RETURN_TO_SENDER', c.registrar, { reason: '误投' })).value).toBe('returned');
  });
});

describe('proposal and instruction', () => {
  it('only the chief of the receiving unit proposes, naming distinct leaders', () => {
    const s = reach('proposal');
    expect(refusal(s, ev('PROPOSE', c.otherChief, { opinion: '拟办', leaderIds: [c.leader1.userId] }))).toEqual(['NOT_UNIT_CHIEF']);
    expect(refusal(s, ev('PROPOSE', c.registrar, { opinion: '拟办', leaderIds: [c.leader1.userId] }))).toEqual(['ROLE_REQUIRED']);
    expect(refusal(s, ev('PROPOSE', c.chief, { opinion: ' ', leaderIds: [] })).sort()).toEqual(['LEADERS_REQUIRED', 'OPINION_REQUIRED']);
    expect(refusal(s, ev('PROPOSE', c.chief, { opinion: '拟办', leaderIds: ['x', 'x'] }))).toEqual(['DUPLICATE_LEADER']);
    const next = accept(s, ev('PROPOSE', c.chief, { opinion: ' 拟请阅示 ', leaderIds: [c.leader1.userId] }));
    expect(next.value).toBe('instruction');
    expect(next.context.proposal).toEqual({ by: c.chief.userId, opinion: '拟请阅示', leaderIds: [c.leader1.userId], at: AT });
  });

  it('only a named leader instructs', () => {
    const s = reach('instruction');
    expect(refusal(s, instructEvent({}, c.leader2))).toEqual(['NOT_NAMED_LEADER']);
    expect(refusal(s, instructEvent({}, c.chief))).toEqual(['ROLE_REQUIRED']);
    const next = accept(s, instructEvent());
    expect(next.value).toBe('handling');
    expect(next.context.instruction).toEqual({ by: c.leader1.userId, text: '请发展科办理。', at: AT });
    expect(next.context.departments).toEqual([
      { departmentId: DEPT_A, role: 'lead', deadline: '2026-03-15', records: [] },
      { departmentId: DEPT_B, role: 'assist', deadline: '2026-03-12', records: [] },
    ]);
  });

  it('an urgent item needs a deadline for every department; departments are distinct', () => {
    const s = reach('instruction');
    expect(refusal(s, instructEvent({ lead: { departmentId: DEPT_A }, assisting: [{ departmentId: DEPT_B }] }))).toEqual([
      'DEADLINE_REQUIRED',
      'DEADLINE_REQUIRED',
    ]);
    expect(refusal(s, instructEvent({ assisting: [{ departmentId: DEPT_A, deadline: '2026-03-12' }] }))).toEqual(['DUPLICATE_DEPARTMENT']);
    expect(refusal(s, instructEvent({ lead: { departmentId: DEPT_A, deadline: '15 March' } }))).toEqual(['INVALID_DEADLINE']);
    expect(refusal(s, instructEvent({ lead: undefined }))).toEqual(['LEAD_REQUIRED']);
    expect(refusal(s, instructEvent({ instruction: '' }))).toEqual(['INSTRUCTION_REQUIRED']);
    // not urgent: deadlines are optional
    // the register fields set the urgency: register the calm item as not urgent
    const notUrgent = run(reach('registration', sampleInput({ urgency: 'none' })), [
      ev('REGISTER', c.registrar, { receiveNumber: '收〔2026〕12号', serial: 12, year: 2026, fields: registerFields({ urgency: 'none' }) }),
      ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'action' }),
      ev('PROPOSE', c.chief, { opinion: '拟办', leaderIds: [c.leader1.userId] }),
    ]);
    expect(accept(notUrgent, instructEvent({ lead: { departmentId: DEPT_A }, assisting: [] })).value).toBe('handling');
  });

  it('the chief may assign departments directly, skipping the leaders', () => {
    const s = reach('proposal');
    const next = accept(
      s,
      ev('ASSIGN_DIRECTLY', c.chief, {
        opinion: '请发展科办理',
        lead: { departmentId: DEPT_A, deadline: '2026-03-15' },
        assisting: [],
      }),
    );
    expect(next.value).toBe('handling');
    expect(next.context.proposal?.leaderIds).toEqual([]);
    expect(refusal(s, ev('ASSIGN_DIRECTLY', c.chief, { opinion: '请办理', lead: { departmentId: DEPT_A }, assisting: [] }))).toEqual([
      'DEADLINE_REQUIRED',
    ]);
  });
});

describe('handling (承办)', () => {
  it('only handlers of a lead or assisting department act; only the lead completes', () => {
    const s = reach('handling');
    expect(refusal(s, ev('RECORD_HANDLING', c.handlerC, { text: '看过' }))).toEqual(['NOT_A_HANDLING_DEPARTMENT']);
    expect(refusal(s, ev('RECORD_HANDLING', c.registrar, { text: '看过' }))).toEqual(['ROLE_REQUIRED']);
    expect(refusal(s, ev('COMPLETE_HANDLING', c.handlerB, { result: '完成' }))).toEqual(['NOT_LEAD_DEPARTMENT']);
    expect(refusal(s, ev('RECORD_HANDLING', c.handlerA, { text: ' ' }))).toEqual(['TEXT_REQUIRED']);
  });

  it('the lead completes only when every assisting department recorded its part or handed it back', () => {
    const s = reach('handling');
    expect(refusal(s, ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' }))).toEqual(['ASSISTING_NOT_RECORDED']);
    expect(refusal(s, ev('COMPLETE_HANDLING', c.handlerA, { result: '' })).sort()).toEqual(['ASSISTING_NOT_RECORDED', 'RESULT_REQUIRED']);
    const recorded = accept(s, ev('RECORD_HANDLING', c.handlerB, { text: '已核对' }));
    expect(recorded.context.departments[1].records).toEqual([{ by: c.handlerB.userId, text: '已核对', at: AT }]);
    const done = accept(recorded, ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' }));
    // readers were named by the instruction: circulation starts now
    expect(done.value).toBe('circulation');
    expect(done.context.circulation?.startedAt).toBe(AT);
    expect(done.context.handling).toEqual({ by: c.handlerA.userId, result: '完成', at: AT });

    const handedBack = accept(s, ev('HAND_BACK', c.handlerB, { reason: '非本科职责' }));
    expect(handedBack.value).toBe('handling');
    expect(handedBack.context.departments[1].handedBack).toEqual({ by: c.handlerB.userId, reason: '非本科职责', at: AT });
    // the department that handed it back can no longer act
    expect(refusal(handedBack, ev('RECORD_HANDLING', c.handlerB, { text: '补充' }))).toEqual(['NOT_A_HANDLING_DEPARTMENT']);
    expect(accept(handedBack, ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' })).value).toBe('circulation');
  });

  it('without readers, completed handling goes to the answer', () => {
    const s = run(reach('instruction'), [instructEvent({ assisting: [] })]);
    expect(accept(s, ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' })).value).toBe('answer');
  });

  it('a lead that received it wrongly sends it back to the leaders for a new assignment, keeping the history', () => {
    const s = run(reach('handling'), [ev('RECORD_HANDLING', c.handlerB, { text: '已核对' })]);
    expect(refusal(s, ev('HAND_BACK', c.handlerA, { reason: '' }))).toEqual(['REASON_REQUIRED']);
    const back = accept(s, ev('HAND_BACK', c.handlerA, { reason: '应由规划科主办' }));
    expect(back.value).toBe('instruction');
    expect(back.context.decisions).toEqual([{ type: 'lead_handed_back', by: c.handlerA.userId, at: AT, reason: '应由规划科主办' }]);
    const again = accept(
      back,
      instructEvent({
        lead: { departmentId: DEPT_C, deadline: '2026-03-18' },
        assisting: [{ departmentId: DEPT_B, deadline: '2026-03-12' }],
      }),
    );
    expect(again.value).toBe('handling');
    const byDept = (d: string) => again.context.departments.filter((x) => x.departmentId === d);
    // the handed-back lead stays in the history; the assisting department keeps what it recorded
    expect(byDept(DEPT_A)).toEqual([
      expect.objectContaining({ role: 'lead', handedBack: expect.objectContaining({ reason: '应由规划科主办' }) }),
    ]);
    expect(byDept(DEPT_B)).toEqual([expect.objectContaining({ role: 'assist', records: [expect.objectContaining({ text: '已核对' })] })]);
    expect(byDept(DEPT_C)).toEqual([expect.objectContaining({ role: 'lead', records: [] })]);
    expect(refusal(again, ev('RECORD_HANDLING', c.handlerA, { text: '补充' }))).toEqual(['NOT_A_HANDLING_DEPARTMENT']);
    expect(accept(again, ev('COMPLETE_HANDLING', c.handlerC, { result: '完成' })).value).toBe('circulation');
  });

  it('a department left out of a new assignment is released, with its records kept', () => {
    const s = run(reach('handling'), [
      ev('RECORD_HANDLING', c.handlerB, { text: '已核对' }),
      ev('HAND_BACK', c.handlerA, { reason: '错送' }),
    ]);
    const again = accept(s, instructEvent({ lead: { departmentId: DEPT_C, deadline: '2026-03-18' }, assisting: [] }));
    expect(again.context.departments.find((d) => d.departmentId === DEPT_B)).toEqual(
      expect.objectContaining({ released: { by: c.leader1.userId, at: AT }, records: [expect.objectContaining({ text: '已核对' })] }),
    );
    expect(refusal(again, ev('RECORD_HANDLING', c.handlerB, { text: '补充' }))).toEqual(['NOT_A_HANDLING_DEPARTMENT']);
  });

  it('a lead assigned directly that hands back goes to the chief (no leader to reassign it)', () => {
    const s = run(reach('proposal'), [
      ev('ASSIGN_DIRECTLY', c.chief, { opinion: '请办理', lead: { departmentId: DEPT_A, deadline: '2026-03-15' }, assisting: [] }),
    ]);
    expect(accept(s, ev('HAND_BACK', c.handlerA, { reason: '错送' })).value).toBe('proposal');
  });

  it('the lead links a reply document; the same one twice is refused', () => {
    const s = reach('handling');
    const linked = accept(s, ev('LINK_REPLY', c.handlerA, { replyDocumentId: 'out-9' }));
    expect(linked.context.reply).toEqual({ documentId: 'out-9', by: c.handlerA.userId, at: AT });
    expect(refusal(linked, ev('LINK_REPLY', c.handlerA, { replyDocumentId: 'out-9' }))).toEqual(['REPLY_ALREADY_LINKED']);
    expect(refusal(s, ev('LINK_REPLY', c.handlerB, { replyDocumentId: 'out-9' }))).toEqual(['NOT_LEAD_DEPARTMENT']);
    const replaced = accept(linked, ev('LINK_REPLY', c.registrar, { replyDocumentId: 'out-10' }));
    expect(replaced.context.decisions).toEqual([{ type: 'reply_replaced', by: c.registrar.userId, at: AT, reason: 'out-9' }]);
  });
});

describe('circulation (传阅)', () => {
  it('sequential: only the first reader who has not read holds it', () => {
    const s = reach('circulation');
    expect(currentHolders(s.context)).toEqual([c.read1.userId]);
    expect(refusal(s, ev('READ', c.read2, {}))).toEqual(['NOT_CURRENT_HOLDER']);
    expect(refusal(s, ev('READ', c.read3, {}))).toEqual(['NOT_A_READER']);
    const one = accept(s, ev('READ', c.read1, { opinion: ' 同意 ' }));
    expect(one.context.circulation?.readers[0]).toEqual({ userId: c.read1.userId, readAt: AT, opinion: '同意' });
    expect(currentHolders(one.context)).toEqual([c.read2.userId]);
    expect(refusal(one, ev('READ', c.read1, {}))).toEqual(['ALREADY_READ']);
    expect(accept(one, ev('READ', c.read2, {})).value).toBe('circulation');
  });

  it('parallel: every reader who has not read holds it', () => {
    const s = run(reach('check'), [
      ev('PASS_CHECK', c.registrar, {
        checks: allPassed(),
        route: 'information',
        readerIds: [c.read1.userId, c.read2.userId],
        order: 'parallel',
      }),
    ]);
    expect(currentHolders(s.context)).toEqual([c.read1.userId, c.read2.userId]);
    expect(accept(s, ev('READ', c.read2, {})).context.circulation?.readers[1].readAt).toBe(AT);
  });

  it('the registrar takes it back from a reader who has not read and gives the place to another, with a reason', () => {
    const s = run(reach('circulation'), [ev('READ', c.read1, {})]);
    const take = (from: string, to: string, reason = '出差') => ev('TAKE_BACK', c.registrar, { fromUserId: from, toUserId: to, reason });
    expect(refusal(s, take(c.read1.userId, c.read3.userId))).toEqual(['READER_ALREADY_READ']);
    expect(refusal(s, take(c.read3.userId, 'u-x'))).toEqual(['UNKNOWN_READER']);
    expect(refusal(s, take(c.read2.userId, c.read1.userId))).toEqual(['ALREADY_A_READER']);
    expect(refusal(s, take(c.read2.userId, c.read3.userId, ''))).toEqual(['REASON_REQUIRED']);
    expect(refusal(s, ev('TAKE_BACK', c.read1, { fromUserId: c.read2.userId, toUserId: c.read3.userId, reason: '出差' }))).toEqual([
      'ROLE_REQUIRED',
    ]);
    const next = accept(s, take(c.read2.userId, c.read3.userId));
    expect(next.context.circulation?.readers.map((r) => r.userId)).toEqual([c.read1.userId, c.read3.userId]);
    expect(next.context.circulation?.takeBacks).toEqual([
      { by: c.registrar.userId, fromUserId: c.read2.userId, toUserId: c.read3.userId, reason: '出差', at: AT },
    ]);
    expect(refusal(next, ev('READ', c.read2, {}))).toEqual(['NOT_A_READER']);
    expect(accept(next, ev('READ', c.read3, {})).value).toBe('circulation');
  });

  it('closing needs every reader to have read and, for a classified item, every copy back', () => {
    let s = reach('circulation');
    expect(refusal(s, ev('CLOSE_CIRCULATION', c.registrar, {})).sort()).toEqual(['COPIES_OUTSTANDING', 'READERS_NOT_DONE']);
    s = run(s, [ev('READ', c.read1, {}), ev('READ', c.read2, {})]);
    expect(refusal(s, ev('CLOSE_CIRCULATION', c.registrar, {}))).toEqual(['COPIES_OUTSTANDING']);
    s = run(s, [ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'returned' })]);
    expect(refusal(s, ev('CLOSE_CIRCULATION', c.registrar, {}))).toEqual(['COPIES_OUTSTANDING']);
    s = run(s, [ev('RETURN_COPY', c.registrar, { copyNumber: 2, disposition: 'destroyed' })]);
    const closed = accept(s, ev('CLOSE_CIRCULATION', c.registrar, {}));
    // an item for action goes on to its answer
    expect(closed.value).toBe('answer');
    expect(closed.context.circulation?.closed).toEqual({ by: c.registrar.userId, at: AT });
  });

  it('an unclassified item for information is done once everyone has read', () => {
    const s = run(reach('registration', sampleInput({ classification: 'none' })), [
      ev('REGISTER', c.registrar, {
        receiveNumber: '收〔2026〕3号',
        serial: 3,
        year: 2026,
        fields: registerFields({ classification: 'none' }),
      }),
      ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'information', readerIds: [c.read1.userId] }),
      ev('READ', c.read1, {}),
    ]);
    expect(accept(s, ev('CLOSE_CIRCULATION', c.registrar, {})).value).toBe('done');
  });
});

describe('copies (清退)', () => {
  it('RETURN_COPY only for a held copy, by the registrar of the unit', () => {
    const s = reach('proposal');
    expect(refusal(s, ev('RETURN_COPY', c.registrar, { copyNumber: 3, disposition: 'returned' }))).toEqual(['UNKNOWN_COPY']);
    expect(refusal(s, ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'lost' as never }))).toEqual(['INVALID_DISPOSITION']);
    expect(refusal(s, ev('RETURN_COPY', c.otherRegistrar, { copyNumber: 1, disposition: 'returned' }))).toEqual(['NOT_UNIT_REGISTRAR']);
    const once = accept(s, ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'returned' }));
    expect(once.value).toBe('proposal');
    expect(once.context.copies[0]).toEqual({ number: 1, status: 'returned', by: c.registrar.userId, at: AT });
    expect(refusal(once, ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'destroyed' }))).toEqual(['COPY_NOT_HELD']);
  });

  it('not before registration', () => {
    expect(refusal(reach('registration'), ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'returned' }))).toEqual([
      'EVENT_NOT_AVAILABLE',
    ]);
  });

  it('FILE needs every copy of a classified item back', () => {
    // reach done through circulation (copies returned there), then check filing a classified item directly
    const viaAnswer = run(reach('handling'), [
      ev('RECORD_HANDLING', c.handlerB, { text: '已核对' }),
      ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' }),
      ev('READ', c.read1, {}),
      ev('READ', c.read2, {}),
      ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'returned' }),
      ev('RETURN_COPY', c.registrar, { copyNumber: 2, disposition: 'returned' }),
      ev('CLOSE_CIRCULATION', c.registrar, {}),
      ev('ANSWER', c.registrar, { text: '已答复' }),
    ]);
    expect(accept(viaAnswer, ev('FILE', c.archivist, { retention: 'Y' })).value).toBe('archived');
    // without circulation the copies may still be out when the item is done
    const noReaders = run(reach('instruction'), [
      instructEvent({ assisting: [] }),
      ev('COMPLETE_HANDLING', c.handlerA, { result: '完成' }),
      ev('ANSWER', c.handlerA, { text: '已答复' }),
    ]);
    expect(noReaders.value).toBe('done');
    expect(refusal(noReaders, ev('FILE', c.archivist, { retention: 'Y' }))).toEqual(['COPIES_OUTSTANDING']);
    expect(refusal(noReaders, ev('FILE', c.registrar, { retention: 'Y' }))).toEqual(['ROLE_REQUIRED']);
    const cleared = run(noReaders, [
      ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'destroyed' }),
      ev('RETURN_COPY', c.registrar, { copyNumber: 2, disposition: 'destroyed' }),
    ]);
    expect(refusal(cleared, ev('FILE', c.archivist, { retention: 'X' as never }))).toEqual(['INVALID_RETENTION']);
    const filed = accept(cleared, ev('FILE', c.archivist, { retention: 'D10' }));
    expect(filed.value).toBe('archived');
    expect(filed.context.filing).toEqual({ by: c.archivist.userId, retention: 'D10', at: AT });
  });
});

describe('answer, reminders, final states', () => {
  it('the system answers when the reply document is registered', () => {
    const s = reach('answer');
    const done = accept(
      s,
      ev('ANSWER', c.system, { text: '以复文答复', replyDocumentId: 'out-9', replyDocumentNumber: '区委办函〔2026〕3号' }),
    );
    expect(done.value).toBe('done');
    expect(done.context.answer).toEqual({
      by: c.system.userId,
      text: '以复文答复',
      at: AT,
      replyDocumentId: 'out-9',
      replyDocumentNumber: '区委办函〔2026〕3号',
    });
    expect(refusal(s, ev('ANSWER', c.handlerB, { text: '答复' }))).toEqual(['NOT_LEAD_DEPARTMENT']);
    expect(refusal(s, ev('ANSWER', c.handlerA, { text: '' }))).toEqual(['ANSWER_TEXT_REQUIRED']);
  });

  it('REMIND by the system or the registrar of the unit, recorded', () => {
    const s = reach('handling');
    const reminded = accept(s, ev('REMIND', c.system, { targets: [DEPT_B], level: 'urgent' }));
    expect(reminded.value).toBe('handling');
    expect(reminded.context.reminders).toEqual([{ at: AT, by: c.system.userId, targets: [DEPT_B], level: 'urgent' }]);
    expect(accept(reminded, ev('REMIND', c.registrar, { targets: [c.handlerB.userId], level: 'routine' })).context.reminders).toHaveLength(
      2,
    );
    expect(refusal(s, ev('REMIND', c.otherRegistrar, { targets: [DEPT_B], level: 'urgent' }))).toEqual(['NOT_REGISTRAR_OR_SYSTEM']);
    expect(refusal(s, ev('REMIND', c.registrar, { targets: [], level: 'soon' as never })).sort()).toEqual([
      'INVALID_LEVEL',
      'TARGETS_REQUIRED',
    ]);
    expect(refusal(reach('done'), ev('REMIND', c.system, { targets: [DEPT_B], level: 'urgent' }))).toEqual(['EVENT_NOT_AVAILABLE']);
  });

  it('final states take no events', () => {
    for (const state of ['archived', 'returned'] as const) {
      const s = reach(state);
      expect(s.status).toBe('done');
      expect(refusal(s, ev('REMIND', c.system, { targets: [DEPT_B], level: 'urgent' }))).toEqual(['FINAL_STATE']);
    }
  });

  it('an event without an actor is refused', () => {
    expect(refusal(reach('receipt'), { type: 'SIGN_FOR', copies: 1, at: AT } as unknown as IncomingEvent)).toEqual(['NO_ACTOR']);
    expect(refusal(reach('receipt'), ev('SIGN_FOR', { userId: 'u-reg', roles: ['registrar'] }, { copies: 1 }))).toEqual([
      'NOT_UNIT_REGISTRAR',
    ]);
    expect(OTHER_UNIT).not.toBe(sampleInput().unitId);
  });
});
