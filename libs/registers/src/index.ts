/**
 * @gongwen/registers — the printouts of incoming documents and supervision: the 收文登记簿 (DOCX, CSV), the
 * 退文告知单, the 督办通知, the 督查催办通知 of a colour card, the 督查通报 and the 督查事项登记簿 (DOCX, CSV).
 * Pure generators: typed data in, DOCX bytes or CSV text out; no database.
 */
export { BOM, csvField, parseCsv, toCsv } from '#gongwen/docx/csv';
export { RegisterDataError, chineseDay, classificationText, dayOf, periodText } from './format.js';
export {
  INCOMING_REGISTER_COLUMNS,
  incomingRegisterCsv,
  incomingRegisterDocx,
  incomingRegisterFileName,
  incomingRegisterTable,
  type IncomingRegisterHead,
  type IncomingRegisterRow,
} from './incoming-register.js';
export {
  FIRST_CHECKS,
  failedChecksText,
  returnNoticeDocx,
  returnNoticeFileName,
  type FirstCheckNumber,
  type ReturnNotice,
} from './return-notice.js';
export {
  CADENCE_LABELS,
  CARD_COLOURS,
  CARD_LABELS,
  SOURCE_LABELS,
  SUPERVISION_REGISTER_COLUMNS,
  percent,
  registerOrder,
  reminderNoticeDocx,
  supervisionNoticeDocx,
  supervisionRegisterCsv,
  supervisionRegisterDocx,
  supervisionRegisterFileName,
  supervisionRegisterTable,
  supervisionReportDocx,
  supervisionReportFileName,
  supervisionStats,
  type CardColour,
  type FeedbackCadence,
  type ItemCard,
  type NoticeContact,
  type ReminderNotice,
  type ReminderReason,
  type SupervisionItemRecord,
  type SupervisionNotice,
  type SupervisionRegisterHead,
  type SupervisionReport,
  type SupervisionSourceKind,
  type SupervisionStats,
  type UnitOnTime,
} from './supervision.js';
