/**
 * Filing an incoming item (收文归档) on FILE, as the archive files every workflow's documents (archive/filable.ts):
 * the receiving unit's fonds and classes, the same item numbers and retention; 责任者 = the sender, 文号 = 来文字号,
 * 日期 = 成文日期 (else the day it was registered); the files are the original as received (the uploaded file, or
 * for an exchanged item the sender's registered DOCX as delivered) and the attachments, and the processing sheet
 * carries the 收文处理笺: register fields, 拟办, 批示, handling, circulation, answer.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { officeDate } from '#gongwen/document/date-of-issue';
import { renderDocx } from '#gongwen/docx';
import type { IncomingContext } from '#gongwen/workflows/incoming/types';
import type { EntityManager } from 'typeorm';
import type { Filable, FilingFile, FilingSubject } from '../archive/filable.js';
import { FilingService } from '../archive/filing.service.js';
import { AppError } from '../common/errors.js';
import type { IncomingContent } from './content.js';
import { IncomingService } from './incoming.service.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const CHECK_NAMES = [
  '',
  '是否应由本机关办理',
  '是否符合行文规则',
  '文种、格式是否符合要求',
  '涉及其他部门的事项是否已协商、会签',
  '其他要求',
];

@Injectable()
export class IncomingFiling implements Filable, OnModuleInit {
  readonly workflowId = 'incoming';

  constructor(
    private readonly filing: FilingService,
    private readonly incoming: IncomingService,
  ) {}

  onModuleInit(): void {
    this.filing.register(this);
  }

  async subject(m: EntityManager, t: Parameters<Filable['subject']>[1]): Promise<FilingSubject> {
    const content = t.content as IncomingContent;
    const ctx = t.document.snapshot.context as IncomingContext;
    const fields = ctx.register?.fields;
    const ids = new Set<string>(
      [
        ...[ctx.receipt?.by, ctx.register?.by, ctx.checks?.by, ctx.proposal?.by, ctx.instruction?.by, ctx.handling?.by, ctx.answer?.by],
        ...ctx.departments.flatMap((d) => d.records.map((r) => r.by)),
        ...(ctx.circulation?.readers.map((r) => r.userId) ?? []),
        ...(ctx.proposal?.leaderIds ?? []),
      ].filter((x): x is string => !!x),
    );
    const unitIds = [...new Set([ctx.unitId, ...ctx.departments.map((d) => d.departmentId)])];
    const users: { id: string; display_name: string }[] = await m.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [
      [...ids],
    ]);
    const units: { id: string; name: string }[] = await m.query(`SELECT id, name FROM units WHERE id = ANY($1::uuid[])`, [unitIds]);
    const who = (id?: string) => (id ? (users.find((u) => u.id === id)?.display_name ?? id) : '');
    const unitName = (id: string) => units.find((u) => u.id === id)?.name ?? id;
    const day = (at?: string) => (at ? officeDate(at) : '');
    const date = fields?.dateOfIssue ?? content.dateOfIssue ?? officeDate(ctx.register?.at ?? ctx.receipt?.at ?? t.event.at);

    const files: FilingFile[] = [];
    if (content.original) {
      const f = await this.file(m, t.document.id, content.original.fileId);
      files.push({ role: 'original', name: f.name, mediaType: f.content_type, data: f.content });
    } else if (ctx.source.kind === 'exchange') {
      // as delivered: the sender's registered DOCX, rendered as GET /api/incoming/{id}/original gives it
      const { content: out, ctx: render } = await this.incoming.outgoingForPrint(ctx.source.outgoingDocumentId);
      files.push({ role: 'original', name: 'original.docx', mediaType: DOCX, data: await renderDocx(out, render) });
    }
    for (const a of content.attachments) {
      const f = await this.file(m, t.document.id, a.fileId);
      files.push({ role: 'attachment', name: `attachment-${files.length}-${f.name}`, mediaType: f.content_type, data: f.content });
    }

    const rows: [string, string][] = [
      ['收文编号', ctx.register?.receiveNumber ?? ''],
      ['来文单位', fields?.senderName ?? content.senderName],
      ['来文字号', fields?.senderNumber ?? content.senderNumber ?? ''],
      ['成文日期', fields?.dateOfIssue ?? content.dateOfIssue ?? ''],
      ['收文日期', day(ctx.receipt?.at ?? ctx.register?.at)],
      [
        '份数、页数',
        `${fields?.copies ?? content.copies}份${(fields?.pages ?? content.pages) ? `，${fields?.pages ?? content.pages}页` : ''}`,
      ],
      ['办理期限', fields?.dueDate ?? content.dueDate ?? ctx.deadline ?? ''],
      ['附件', content.attachments.map((a) => a.name).join('、')],
      ['登记', ctx.register ? `${who(ctx.register.by)} ${day(ctx.register.at)}` : ''],
      [
        '初审',
        ctx.checks
          ? `${who(ctx.checks.by)}：${ctx.checks.items.map((c) => `${CHECK_NAMES[c.item] ?? c.item}${c.passed ? '✓' : '✗'}`).join('；')}`
          : '',
      ],
      ['拟办意见', ctx.proposal ? `${ctx.proposal.opinion}（${who(ctx.proposal.by)} ${day(ctx.proposal.at)}）` : ''],
      ['领导批示', ctx.instruction ? `${ctx.instruction.text}（${who(ctx.instruction.by)} ${day(ctx.instruction.at)}）` : ''],
      ...ctx.departments.map((d): [string, string] => [
        d.role === 'lead' ? '主办部门' : '协办部门',
        [
          unitName(d.departmentId) + (d.deadline ? `（期限 ${d.deadline}）` : ''),
          ...d.records.map((r) => `${r.text}（${who(r.by)} ${day(r.at)}）`),
          ...(d.handedBack ? [`退回：${d.handedBack.reason}`] : []),
        ].join('；'),
      ]),
      ['办理结果', ctx.handling ? `${ctx.handling.result}（${who(ctx.handling.by)} ${day(ctx.handling.at)}）` : ''],
      [
        '传阅',
        (ctx.circulation?.readers ?? [])
          .map((r) => `${who(r.userId)}${r.readAt ? ` ${day(r.readAt)} 已阅${r.opinion ? `：${r.opinion}` : ''}` : ' 未阅'}`)
          .join('；'),
      ],
      [
        '答复',
        ctx.answer
          ? `${ctx.answer.text}${ctx.answer.replyDocumentNumber ? `（复文 ${ctx.answer.replyDocumentNumber}）` : ''}（${who(ctx.answer.by)} ${day(ctx.answer.at)}）`
          : '',
      ],
    ];

    return {
      fondsUnitId: ctx.unitId,
      date,
      kind: fields?.kind ?? content.kind,
      title: fields?.title ?? content.title,
      documentNumber: fields?.senderNumber ?? content.senderNumber ?? null,
      author: fields?.senderName ?? content.senderName,
      classification: fields?.classification ?? content.classification,
      secrecyPeriod: fields?.secrecyPeriod ?? content.secrecyPeriod ?? null,
      urgency: fields?.urgency ?? content.urgency,
      revision: { number: t.document.current_revision, hash: await this.revisionHash(m, t.document.id, t.document.current_revision) },
      metadata: {
        attachments: content.attachments.map((a) => ({ id: a.fileId, title: a.name, fileId: a.fileId, hasText: false })),
        readers: (ctx.circulation?.readers ?? []).map((r) => ({
          userId: r.userId,
          name: who(r.userId),
          deliveredAt: null,
          openedAt: r.readAt ?? null,
          acknowledgedAt: r.readAt ?? null,
          opinion: r.opinion ?? null,
        })),
        format: files[0] ? `${files[0].mediaType} (as received)` : 'paper (as received)',
        source: ctx.source,
        receiveNumber: ctx.register?.receiveNumber ?? null,
        pages: fields?.pages ?? content.pages ?? null,
        replyDocumentId: ctx.answer?.replyDocumentId ?? ctx.reply?.documentId ?? null,
      },
      files,
      form: { heading: '收文处理笺', rows },
    };
  }

  private async file(m: EntityManager, documentId: string, fileId: string) {
    const [f]: { name: string; content_type: string; content: Buffer | null }[] = await m.query(
      `SELECT name, content_type, content FROM document_files WHERE id = $1 AND document_id = $2`,
      [fileId, documentId],
    );
    if (!f?.content) throw new AppError('DOCUMENT_DISPOSED', `The file ${fileId} of this item is missing; it cannot be filed.`);
    return f as { name: string; content_type: string; content: Buffer };
  }

  private async revisionHash(m: EntityManager, documentId: string, n: number): Promise<string> {
    const [r]: { hash: string }[] = await m.query(`SELECT hash FROM revisions WHERE document_id = $1 AND number = $2`, [documentId, n]);
    return r?.hash ?? '';
  }
}
