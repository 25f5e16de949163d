/**
 * The office's rules around the outgoing workflow's events that are not the machine's transitions: which events
 * are drafting work (what a `draft`-scope API token may send), and which gate (关) each gated event passes, for
 * the strict separation of duties (one person passes at most one of 校对, 审核, 签发 of a document).
 */
import type { OutgoingEventType } from './types.js';

/** Drafting and editing work, never signing, numbering, filing or withdrawal. */
export const DRAFTING_EVENTS: readonly OutgoingEventType[] = [
  'ADD_SECTION',
  'SUBMIT_SECTION',
  'START_CONSOLIDATION',
  'RETURN_SECTION',
  'MARK_MAJOR',
  'START_DISCUSSION',
  'SKIP_DISCUSSION',
  'COMMENT',
  'CLOSE_DISCUSSION',
  'ADD_MARK',
  'DISMISS_MARK',
];

export type GateName = 'proofreading' | 'review' | 'signing';

/** The gate each gated event passes. */
export const GATE_OF: Readonly<Partial<Record<OutgoingEventType, GateName>>> = {
  ADD_MARK: 'proofreading',
  DISMISS_MARK: 'proofreading',
  PASS_PROOFREADING: 'proofreading',
  REVIEW: 'review',
  SIGN: 'signing',
  REJECT: 'signing',
};

/** The events edited through their own endpoints (PUT …/sections/{id}, PUT …/content), not POST …/events. */
export const EDIT_EVENTS = ['EDIT_SECTION', 'EDIT_CONTENT'] as const satisfies readonly OutgoingEventType[];

/** States in which the document is closed: no event is allowed (filed, withdrawn). */
export const CLOSED_STATES = ['archived', 'withdrawn'] as const;

/** States in which nothing may change any more. */
export const READ_ONLY_STATES = ['archived'] as const;
