/**
 * A drafting client from start to signature with @gongwen/client: log in, create a document, put a section,
 * import a Word file into a section, send events with If-Match and an Idempotency-Key, wait for a state.
 *
 *   GONGWEN_URL=http://localhost:3000 node --import ./scripts/dev/ts-register.mjs packages/client/example/example.ts
 *
 * The demo users (password gongwen-demo) play every part. CI runs it against a started server (test/client).
 */
import { login, type Document } from '../src/index.js';

const PASSWORD = process.env.GONGWEN_PASSWORD ?? 'gongwen-demo';

export async function run(baseUrl: string, log: (line: string) => void = console.log): Promise<Document> {
  const chief = await login(baseUrl, 'chief', PASSWORD);
  const secretary = await login(baseUrl, 'secretary', PASSWORD);

  // reference data: people and issuing bodies, readable by everyone
  const users = (await chief.api.GET('/api/users')).data!.items;
  const userId = (name: string) => users.find((u) => u.username === name)!.id;
  const units = (await chief.api.GET('/api/units', { params: { query: { kind: 'issuer' } } })).data!.items;
  const unit = units.find((u) => u.code === '区委办')!.id;

  let doc = await chief.createDocument({
    kind: '通知',
    title: '关于做好年终安全检查的通知',
    issuerUnitIds: [unit],
    signers: [{ issuerUnitId: unit, signerId: userId('signer') }],
    mainRecipients: ['区直各单位'],
    sections: [
      { title: '正文', drafterId: userId('secretary') },
      { title: '附件说明', drafterId: userId('secretary') },
    ],
  });
  log(`created ${doc.id} (${doc.state}, version ${doc.version})`);

  doc = await secretary.putSection(
    doc.id,
    's1',
    { blocks: [{ id: 'p1', type: 'paragraph', text: '请各单位于12月20日前完成安全检查。' }] },
    { ifMatch: doc.version },
  );
  // a Word file: here the document's own DOCX export, imported as the second section's draft
  const docx = await secretary.api.GET('/api/documents/{id}/docx', { params: { path: { id: doc.id } }, parseAs: 'arrayBuffer' });
  doc = await secretary.importWordIntoSection(doc.id, 's2', new Uint8Array(docx.data!));
  log(`sections drafted (version ${doc.version})`);

  for (const sectionId of ['s1', 's2']) doc = await secretary.sendEvent(doc.id, 'SUBMIT_SECTION', { sectionId }, { ifMatch: doc.version });
  doc = await chief.sendEvent(doc.id, 'START_CONSOLIDATION', {}, { ifMatch: doc.version });
  // the same Idempotency-Key twice: the second is answered from the first, nothing is applied twice
  const key = `example-skip-${doc.id}`;
  const skipped = await chief.sendEvent(doc.id, 'SKIP_DISCUSSION', { reason: '简单通知' }, { ifMatch: doc.version, idempotencyKey: key });
  const replayed = await chief.sendEvent(doc.id, 'SKIP_DISCUSSION', { reason: '简单通知' }, { ifMatch: doc.version, idempotencyKey: key });
  if (replayed.version !== skipped.version) throw new Error('an idempotent retry was applied twice');
  doc = skipped;
  log(`→ ${doc.state}`);

  // the other gates are passed by their people while this client waits on the events feed
  const waiting = chief.waitForState(doc.id, 'registration', { timeoutMs: 60_000 });
  const proofreader = await login(baseUrl, 'proofreader', PASSWORD);
  const reviewer = await login(baseUrl, 'reviewer', PASSWORD);
  const signer = await login(baseUrl, 'signer', PASSWORD);
  doc = await proofreader.sendEvent(doc.id, 'PASS_PROOFREADING', {}, { ifMatch: doc.version });
  doc = await reviewer.sendEvent(
    doc.id,
    'REVIEW',
    { checks: ([1, 2, 3, 4, 5] as const).map((item) => ({ item, passed: true })) },
    { ifMatch: doc.version },
  );
  await signer.sendEvent(doc.id, 'SIGN', { issuerUnitId: unit, opinion: '同意' }, { ifMatch: doc.version });
  doc = await waiting;
  log(`signed: ${doc.state} (version ${doc.version})`);
  return doc;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run(process.env.GONGWEN_URL ?? 'http://localhost:3000');
}
