import { concernsUser, eventsOf, type OutboxEvent } from './events.js';
import { AddressGuard } from './address-guard.js';
import { retryAfterSeconds, signatureHeader } from './sender.js';
import { createHmac } from 'node:crypto';

const row = (o: Partial<OutboxEvent>): OutboxEvent => ({
  id: 7,
  documentId: 'd1',
  workflowId: 'outgoing',
  event: 'SIGN',
  from: 'signing',
  to: 'registration',
  assigneeIds: [],
  taskRoles: [],
  at: '2026-12-06T00:00:00.000Z',
  ...o,
});
const types = (o: Partial<OutboxEvent>) => eventsOf(row(o)).map((e) => e.type);

describe('the event vocabulary', () => {
  it('derives the events of an outbox row', () => {
    expect(types({})).toEqual(['document.state_changed', 'document.signed']);
    expect(types({ event: 'REMIND', from: 'circulation', to: 'circulation' })).toEqual([]);
    expect(types({ event: 'REGISTER', from: 'registration', to: 'circulation', assigneeIds: ['u'] })).toEqual([
      'document.state_changed',
      'document.task_assigned',
      'document.registered',
    ]);
    expect(types({ event: 'REJECT', from: 'signing', to: 'review' })).toEqual(['document.state_changed', 'document.returned']);
    expect(types({ event: 'FILE', from: 'archiving', to: 'archived' })).toEqual(['document.state_changed', 'document.filed']);
    expect(types({ workflowId: 'incoming', event: null, from: null, to: 'receipt' })).toEqual([
      'document.state_changed',
      'incoming.received',
    ]);
    expect(types({ workflowId: 'incoming', event: null, from: null, to: 'registration' })).toEqual(['document.state_changed']);
    expect(types({ workflowId: 'supervision', event: 'ISSUE_CARD', from: 'in_progress', to: 'in_progress', colour: 'red' })).toEqual([
      'supervision.overdue',
    ]);
    expect(types({ workflowId: 'supervision', event: 'ISSUE_CARD', from: 'in_progress', to: 'in_progress', colour: 'blue' })).toEqual([]);
  });

  it('gives a return its event as reason code and nothing else of it', () => {
    const [, returned] = eventsOf(row({ event: 'RETURN', from: 'review', to: 'proofreading' }));
    expect(returned.data).toEqual({
      documentId: 'd1',
      workflow: 'outgoing',
      event: 'RETURN',
      state: 'proofreading',
      previousState: 'review',
      reasonCode: 'RETURN',
      occurredAt: '2026-12-06T00:00:00.000Z',
    });
  });

  it('a task concerns its named assignees and the holders of its pool roles', () => {
    expect(concernsUser({ assigneeIds: ['a'], taskRoles: [] }, { id: 'a', roles: [] })).toBe(true);
    expect(concernsUser({ assigneeIds: [], taskRoles: ['clerk'] }, { id: 'b', roles: ['clerk'] })).toBe(true);
    expect(concernsUser({ assigneeIds: ['a'], taskRoles: ['clerk'] }, { id: 'b', roles: ['reader'] })).toBe(false);
  });
});

describe('signing and the address guard', () => {
  it('signs `id.timestamp.body` with each secret', () => {
    const key = Buffer.alloc(32, 1);
    const h = signatureHeader(
      [`whsec_${key.toString('base64')}`, `whsec_${Buffer.alloc(32, 2).toString('base64')}`],
      'msg_1',
      1700000000,
      '{}',
    );
    const parts = h.split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(`v1,${createHmac('sha256', key).update('msg_1.1700000000.{}').digest('base64')}`);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterSeconds('120', 0)).toBe(120);
    expect(retryAfterSeconds(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(retryAfterSeconds('soon', 0)).toBeNull();
    expect(retryAfterSeconds(undefined, 0)).toBeNull();
  });

  it('refuses private, loopback, link-local and mapped addresses unless allowed', () => {
    const g = new AddressGuard('10.20.0.0/16');
    for (const a of [
      '10.0.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '192.168.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
    ])
      expect([a, g.permits(a)]).toEqual([a, false]);
    for (const a of ['10.20.3.4', '93.184.215.14', '2606:4700::1111']) expect([a, g.permits(a)]).toEqual([a, true]);
  });
});
