/**
 * The calls of the creation form, the attachments panel and the Word import, on the generated client (api.ts):
 * POST /api/documents, GET /api/unit-groups, the attachment files of a document (raw body upload, list, download
 * link), PUT /content for the attachment list, and the two DOCX imports (a preview that changes nothing, and the
 * section import that saves a revision). Kept apart from api.ts so the features stay in their own files.
 */
import { useQuery } from '@tanstack/react-query';
import type { components, paths } from '#gongwen/contract';
import { client, unwrap } from './api';
import type { DocumentView } from './types';

type S = components['schemas'];
export type CreateDocumentBody = NonNullable<paths['/api/documents']['post']['requestBody']>['content']['application/json'];
export type UnitGroup = S['UnitGroup'];
export type AttachmentFile = S['AttachmentFile'];
export type ImportedDraft = S['ImportedDraft'];
export type Attachment = DocumentView['content']['attachments'][number];

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Files the API stores as attachments; the picker offers these (the API itself takes any type). */
export const ATTACHMENT_ACCEPT = '.docx,.doc,.pdf,.ofd,.wps,.xlsx,.xls,.jpg,.jpeg,.png';

/** The raw body of a file upload: the bytes as they are, with their own type (openapi-fetch would JSON-encode them). */
const raw = (file: Blob) => ({ body: file as never, bodySerializer: (b: unknown) => b as BodyInit });

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export const createApi = {
  create: (body: CreateDocumentBody, key: string) =>
    unwrap(client.POST('/api/documents', { params: { header: { 'Idempotency-Key': key } }, body })),
  unitGroups: (signal?: AbortSignal) => unwrap(client.GET('/api/unit-groups', { signal })).then((r) => r.items),
  files: (id: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/documents/{id}/files', { params: { path: { id } }, signal })).then((r) => r.items),
  upload: (id: string, file: File) =>
    unwrap(
      client.POST('/api/documents/{id}/files', {
        params: { path: { id }, query: { name: file.name } },
        headers: { 'content-type': file.type || 'application/octet-stream' },
        ...raw(file),
      }),
    ),
  fileUrl: (id: string, fileId: string) => `/api/documents/${encodeURIComponent(id)}/files/${encodeURIComponent(fileId)}`,
  /** The attachment list as a whole (titles, order, removal): the next revision, through EDIT_CONTENT. */
  setAttachments: (doc: Pick<DocumentView, 'id' | 'version'>, attachments: Attachment[]) =>
    unwrap(
      client.PUT('/api/documents/{id}/content', {
        params: { path: { id: doc.id }, header: ifMatch(doc.version) },
        body: { metadata: { attachments } } as never,
      }),
    ),
  /** Reads a Word draft into blocks; changes nothing (the preview). */
  previewDocx: (file: File) => unwrap(client.POST('/api/documents/import', { headers: { 'content-type': DOCX_MIME }, ...raw(file) })),
  /** Replaces a section's text with a Word draft's body: a new revision. */
  importSection: (doc: Pick<DocumentView, 'id' | 'version'>, sectionId: string, file: File) =>
    unwrap(
      client.PUT('/api/documents/{id}/sections/{sectionId}/import', {
        params: { path: { id: doc.id, sectionId } },
        headers: { 'content-type': DOCX_MIME, ...ifMatch(doc.version) },
        ...raw(file),
      }),
    ) as Promise<DocumentView>,
};

export const useUnitGroups = () =>
  useQuery({ queryKey: ['unit-groups', 'all'], queryFn: ({ signal }) => createApi.unitGroups(signal), staleTime: 300_000 });

export const useAttachmentFiles = (id: string) =>
  useQuery({ queryKey: ['document', id, 'files'], queryFn: ({ signal }) => createApi.files(id, signal) });

export const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
