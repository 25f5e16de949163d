/**
 * The gates (关) of a supervised item for the strict separation of duties (GONGWEN_STRICT_SEPARATION: one person
 * passes at most one gate of a document): handling it (the units), supervising it (the supervisor), instructing
 * it (the leader). So nobody supervises or approves the extension of an item they handle, nor closes what they
 * instructed to be extended.
 */
import type { SupervisionEventType } from './types.js';

export type GateName = 'handling' | 'supervision' | 'instruction';

/** The gate each gated event passes. System events (cards, reminders) and filing pass none. */
export const GATE_OF: Readonly<Partial<Record<SupervisionEventType, GateName>>> = {
  SIGN_FOR: 'handling',
  FEEDBACK: 'handling',
  CONTRIBUTE: 'handling',
  REQUEST_EXTENSION: 'handling',
  SUBMIT_RESULT: 'handling',
  ASSIGN: 'supervision',
  REVIEW_EXTENSION: 'supervision',
  CLOSE: 'supervision',
  SEND_BACK: 'supervision',
  DECIDE_EXTENSION: 'instruction',
  REOPEN: 'instruction',
};
