/**
 * Sample data for the specs and the rendering tests (and the demo): a unit's incoming register and a year of
 * supervision items. Names use Chinese characters throughout, with ×, · and mixed digits.
 */
import type { IncomingRegisterRow } from './incoming-register.js';
import type { ReturnNotice } from './return-notice.js';
import type { ReminderNotice, SupervisionItemRecord, SupervisionNotice } from './supervision.js';

const SENDERS = ['中共××区委办公室', '××区人民政府办公室', '××市发展和改革委员会', '××区财政局', '××区住房和城乡建设局'];

/** `n` registered items of 区发展和改革局 in 2026, serials 1..n, shuffled (the register sorts them). */
export function incomingRows(n: number): IncomingRegisterRow[] {
  const rows = Array.from({ length: n }, (_, i): IncomingRegisterRow => {
    const serial = i + 1;
    const day = String(1 + (i % 28)).padStart(2, '0');
    return {
      receiveNumber: `收〔2026〕${serial}号`,
      year: 2026,
      serial,
      receivedAt: `2026-03-${day}T01:30:00Z`,
      senderName: SENDERS[i % SENDERS.length],
      senderNumber: `${['区委办', '区政办', '市发改', '区财', '区住建'][i % 5]}发〔2026〕${10 + i}号`,
      title: `关于做好第${serial}批重点项目·建设用地保障工作的通知`,
      classification: i % 7 === 3 ? 'confidential' : 'none',
      secrecyPeriod: i % 7 === 3 ? '1年' : null,
      urgency: i % 5 === 2 ? 'extra_urgent' : i % 5 === 4 ? 'urgent' : 'none',
      copies: 1 + (i % 3),
      pages: 2 + (i % 9),
      dateOfIssue: `2026-02-${day}`,
      dueDate: i % 4 === 0 ? `2026-04-${day}` : null,
      leadDepartment: i % 2 ? '综合科' : '规划发展科',
      attachments: i % 6 === 0 ? ['项目清单', '用地指标表'] : [],
      handling: ['承办中', '传阅中', '已办结', '已归档'][i % 4],
    };
  });
  // a fixed shuffle: the generator, not the caller, puts them in 收文编号 order
  return rows
    .map((r, i) => ({ r, k: (i * 37) % n }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.r);
}

export function returnNoticeSample(): ReturnNotice {
  return {
    returningUnit: '××区财政局',
    senderName: '××市某某科技有限公司',
    senderNumber: '某科〔2026〕3号',
    title: '关于申请2026年度科技创新专项资金的请示',
    receivedAt: '2026-11-20T02:00:00Z',
    receiveNumber: '财收〔2026〕88号',
    failedChecks: [4, 2],
    reason: '该请示属于多头主送，且未按规定经主管部门审核同意后报送。\n涉及区科技局职权范围的事项，未与区科技局协商会签。',
    returnedAt: '2026-11-23',
    registrar: '李××',
    phone: '0571-12345678',
  };
}

export function supervisionItems(n: number): SupervisionItemRecord[] {
  const units = ['区发展和改革局', '区财政局', '区住房和城乡建设局', '区自然资源局'];
  const statuses = ['已交办', '办理中', '办理中', '待审结', '已办结'];
  const cards = ['none', 'blue', 'yellow', 'red'] as const;
  return Array.from({ length: n }, (_, i): SupervisionItemRecord => {
    const serial = i + 1;
    const closed = statuses[i % statuses.length] === '已办结';
    return {
      number: `督〔2026〕${serial}号`,
      year: 2026,
      serial,
      matter: `加快推进城区老旧小区改造第${serial}批项目`,
      source: {
        kind: (['instruction', 'meeting', 'document', 'key_task'] as const)[i % 4],
        reference: '区委书记王××在《××区老旧小区改造情况报告》上的批示',
      },
      instructingLeader: '王××',
      instruction: '请区发改局牵头，会同区财政局抓紧研究，确保年内开工。',
      requirements: '制定改造实施方案，明确时间表、路线图。\n落实项目资金，按月报送进度。',
      leadUnit: units[i % units.length],
      assistingUnits: [units[(i + 1) % units.length]],
      responsibleLeader: '区发展和改革局局长张××',
      handler: '赵·明',
      deadline: `2026-${String(6 + (i % 6)).padStart(2, '0')}-30`,
      cadence: (['once', 'weekly', 'monthly', 'quarterly'] as const)[i % 4],
      resultForm: '书面报告',
      registeredAt: '2026-03-02T01:00:00Z',
      status: statuses[i % statuses.length],
      card: closed ? 'none' : cards[i % 4],
      lastFeedbackAt: i % 3 ? '2026-05-20T08:00:00Z' : null,
      closedAt: closed ? (i % 2 ? '2026-06-15' : '2026-12-20') : null,
      progress: closed ? '已完成改造并通过验收' : '方案已制定，正在推进招标',
    };
  });
}

export function supervisionNoticeSample(): SupervisionNotice {
  return {
    office: '中共××区委办公室',
    item: { ...supervisionItems(12)[11], assistingUnits: ['区财政局', '区住房和城乡建设局'] },
    date: '2026-03-02',
    contact: { name: '陈××', phone: '0571-87654321' },
  };
}

export function reminderSample(card: 'blue' | 'yellow' | 'red'): ReminderNotice {
  const reason = card === 'blue' ? 'deadline_near' : card === 'yellow' ? 'feedback_returned' : 'overdue';
  return {
    office: '中共××区委办公室',
    item: supervisionItems(12)[11],
    card,
    reason,
    daysLeft: 3,
    returnReason: '反馈材料未说明资金落实情况',
    daysOverdue: 5,
    requirement: '请主要负责同志亲自研究部署，倒排工期，确保按期完成。',
    respondBy: '2026-12-10',
    date: '2026-12-05',
    contact: { name: '陈××', phone: '0571-87654321' },
  };
}
