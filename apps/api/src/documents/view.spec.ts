import { persistSnapshot } from '#gongwen/workflows/outgoing';
import { CAST, reach } from '#gongwen/workflows/outgoing/fixtures';
import type { OutgoingState } from '#gongwen/workflows/outgoing/types';
import type { DocumentContent } from '#gongwen/document/model';
import type { AuthUser } from '../auth/auth.types.js';
import type { DocumentRow } from './document-row.js';
import { documentView } from './view.js';

function rowAt(state: OutgoingState, patch: (ctx: DocumentRow['snapshot']['context']) => void = () => {}): DocumentRow {
  const snapshot = JSON.parse(JSON.stringify(persistSnapshot(reach(state)))) as DocumentRow['snapshot'];
  patch(snapshot.context);
  const at = new Date('2026-03-02T00:00:00.000Z');
  return {
    id: '6f1c1c52-7d0e-4d43-9a55-2d55d1f8d8a1',
    workflow_id: 'outgoing',
    workflow_version: 1,
    state,
    version: 9,
    snapshot,
    kind: '通知',
    title: '测试',
    classification: 'none',
    classification_rank: 0,
    urgency: 'none',
    major: false,
    issuer_unit_ids: ['unit-a', 'unit-b'],
    chief_id: CAST.chief.userId,
    participant_ids: [],
    current_revision: 1,
    document_number: null,
    deadline: null,
    created_by: CAST.chief.userId,
    created_at: at,
    updated_at: at,
    unit_id: null,
    unit_keys: [],
  };
}

const user = (a: { userId: string; roles: string[] }): AuthUser => ({
  id: a.userId,
  username: a.userId,
  displayName: a.userId,
  unitId: null,
  roles: a.roles as AuthUser['roles'],
  clearance: 'none',
  authority: null,
  via: 'bearer',
  tokenId: 't',
  tokenScope: 'full',
});
const content = { title: '测试', sections: [] } as unknown as DocumentContent;

describe('the document view', () => {
  it('dates the issue (成文日期) by the Beijing date of the last signature, also at 01:00 Beijing time (17:00 UTC the day before)', () => {
    const row = rowAt('registration', (ctx) => {
      ctx.signatures[0].at = '2026-03-01T10:00:00.000Z';
      ctx.signatures[1].at = '2026-03-01T17:00:00.000Z';
    });
    expect(documentView(row, user(CAST.clerk), content, 'h').dateOfIssue).toBe('2026-03-02');
    expect(documentView(rowAt('drafting'), user(CAST.chief), content, 'h').dateOfIssue).toBeNull();
  });

  it('lists only POSTable events in allowedEvents, and the editors with their endpoints in allowedEdits', () => {
    const drafting = rowAt('drafting');
    const v = documentView(drafting, user(CAST.sec1), content, 'h');
    expect(v.allowedEvents.map((e) => e.type)).toContain('SUBMIT_SECTION');
    expect(v.allowedEvents.every((e) => !['EDIT_SECTION', 'EDIT_CONTENT'].includes(e.type as string) && e.payloadSchema)).toBe(true);
    expect(v.allowedEdits).toEqual([
      { type: 'EDIT_SECTION', method: 'PUT', path: `/api/documents/${drafting.id}/sections/{sectionId}`, sectionIds: ['s1'] },
    ]);
    const consolidation = rowAt('consolidation');
    expect(documentView(consolidation, user(CAST.chief), content, 'h').allowedEdits).toEqual([
      { type: 'EDIT_CONTENT', method: 'PUT', path: `/api/documents/${consolidation.id}/content` },
    ]);
    expect(documentView(rowAt('archived'), user(CAST.arch), content, 'h')).toMatchObject({ allowedEvents: [], allowedEdits: [] });
  });
});
