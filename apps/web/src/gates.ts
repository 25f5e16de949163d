/**
 * The conditions of a gate the page can already see are unmet, before the user presses anything: the same codes and
 * specifics the server would answer (workflows/outgoing/policy.ts gateConditions), so the button is disabled with the
 * reason in the same words (problems.ts). Only conditions that do not depend on what the user is about to type.
 * The server still decides: this only saves a pointless click.
 */
import type { DocumentView } from './types';

export interface UnmetCondition {
  code: string;
  message: string;
  params?: Record<string, string | number | string[] | number[]>;
}

export function unmetConditions(doc: DocumentView, event: string): UnmetCondition[] {
  switch (event) {
    case 'START_CONSOLIDATION': {
      if (doc.sections.length === 0) return [{ code: 'NO_SECTIONS', message: '' }];
      return doc.sections
        .filter((s) => s.status !== 'submitted')
        .map((s) => ({ code: 'SECTION_NOT_SUBMITTED', message: '', params: { sectionId: s.id, title: s.title, userId: s.drafterId } }));
    }
    case 'PASS_PROOFREADING': {
      const open = doc.marks.filter((m) => m.status === 'open');
      return open.length ? [{ code: 'OPEN_MARKS', message: '', params: { markIds: open.map((m) => m.id) } }] : [];
    }
    case 'SKIP_DISCUSSION':
      return doc.major ? [{ code: 'MAJOR_REQUIRES_DISCUSSION', message: '' }] : [];
    case 'CLOSE_DISCUSSION': {
      const d = doc.discussion;
      if (!d?.requireAll) return [];
      return d.invitees
        .filter((u) => !d.comments.some((c) => c.userId === u))
        .map((u) => ({ code: 'INVITEE_NOT_RESPONDED', message: '', params: { userId: u } }));
    }
    case 'REMIND':
      return doc.readers.length > 0 && doc.readers.every((r) => r.acknowledgedAt) ? [{ code: 'NOTHING_TO_REMIND', message: '' }] : [];
    default:
      return [];
  }
}
