import { Foundation1764000000000 } from './1764000000000-Foundation.js';
import { Documents1764000100000 } from './1764000100000-Documents.js';
import { Security1764000150000 } from './1764000150000-Security.js';
import { Archive1764000200000 } from './1764000200000-Archive.js';
import { InboxIndex1764000300000 } from './1764000300000-InboxIndex.js';
import { DocumentFiles1764000400000 } from './1764000400000-DocumentFiles.js';
import { ExportExpiry1764000500000 } from './1764000500000-ExportExpiry.js';
import { DocumentTasks1764000600000 } from './1764000600000-DocumentTasks.js';
import { DisposalPurge1764000700000 } from './1764000700000-DisposalPurge.js';
import { DropUnusedIndexes1764000800000 } from './1764000800000-DropUnusedIndexes.js';
import { SystemAccount1764000900000 } from './1764000900000-SystemAccount.js';
import { DisposalIdempotency1764001000000 } from './1764001000000-DisposalIdempotency.js';
import { HotDocumentUpdates1764001100000 } from './1764001100000-HotDocumentUpdates.js';
import { HistoryWithoutForeignKeys1764001200000 } from './1764001200000-HistoryWithoutForeignKeys.js';
import { NumberSeries1764001300000 } from './1764001300000-NumberSeries.js';
import { AdminAudit1764001370000 } from './1764001370000-AdminAudit.js';
import { AdminRoleRepair1764001380000 } from './1764001380000-AdminRoleRepair.js';
import { FilingBoxExport1764001400000 } from './1764001400000-FilingBoxExport.js';
import { Incoming1764001500000 } from './1764001500000-Incoming.js';
import { DocumentPresence1764001550000 } from './1764001550000-DocumentPresence.js';
import { Supervision1764001600000 } from './1764001600000-Supervision.js';
import { FullTextSearch1764001700000 } from './1764001700000-FullTextSearch.js';
import { EventsFeed1764001900000 } from './1764001900000-EventsFeed.js';
import { WebhookSecretsAndNotices1764002400000 } from './1764002400000-WebhookSecretsAndNotices.js';
import { Webhooks1764001800000 } from './1764001800000-Webhooks.js';
import { SupervisionInstructed1764002500000 } from './1764002500000-SupervisionInstructed.js';
import { NotificationReads1764002300000 } from './1764002300000-NotificationReads.js';
import { Delegations1764002700000 } from './1764002700000-Delegations.js';
import { Seals1764002100000 } from './1764002100000-Seals.js';
import { RecordsChecks1764002600000 } from './1764002600000-RecordsChecks.js';
import { SealedOfd1764002800000 } from './1764002800000-SealedOfd.js';
import { WebhookDispatch1764003050000 } from './1764003050000-WebhookDispatch.js';
import { SealedPdf1764004020001 } from './1764004020001-SealedPdf.js';
import { WebhookCursors1764004030001 } from './1764004030001-WebhookCursors.js';
import { TrustedSealRoots1764004040001 } from './1764004040001-TrustedSealRoots.js';
import { AuditKeyedByChain1764005030001 } from './1764005030001-AuditKeyedByChain.js';
import { OutboxKeyedByPosition1764005030002 } from './1764005030002-OutboxKeyedByPosition.js';
import { OutboxRelayCursor1764005040001 } from './1764005040001-OutboxRelayCursor.js';
import { WebhookBatchItemsJson1764005050001 } from './1764005050001-WebhookBatchItemsJson.js';

/** Every migration, oldest first. Add new ones at the end. */
export const migrations = [
  Foundation1764000000000,
  Documents1764000100000,
  Security1764000150000,
  Archive1764000200000,
  InboxIndex1764000300000,
  DocumentFiles1764000400000,
  ExportExpiry1764000500000,
  DocumentTasks1764000600000,
  DisposalPurge1764000700000,
  DropUnusedIndexes1764000800000,
  SystemAccount1764000900000,
  DisposalIdempotency1764001000000,
  HotDocumentUpdates1764001100000,
  HistoryWithoutForeignKeys1764001200000,
  NumberSeries1764001300000,
  AdminAudit1764001370000,
  AdminRoleRepair1764001380000,
  FilingBoxExport1764001400000,
  Incoming1764001500000,
  DocumentPresence1764001550000,
  Supervision1764001600000,
  FullTextSearch1764001700000,
  Webhooks1764001800000,
  EventsFeed1764001900000,
  Seals1764002100000,
  NotificationReads1764002300000,
  WebhookSecretsAndNotices1764002400000,
  SupervisionInstructed1764002500000,
  RecordsChecks1764002600000,
  Delegations1764002700000,
  SealedOfd1764002800000,
  WebhookDispatch1764003050000,
  SealedPdf1764004020001,
  WebhookCursors1764004030001,
  TrustedSealRoots1764004040001,
  AuditKeyedByChain1764005030001,
  OutboxKeyedByPosition1764005030002,
  OutboxRelayCursor1764005040001,
  WebhookBatchItemsJson1764005050001,
];
