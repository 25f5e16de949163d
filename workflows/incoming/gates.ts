/**
 * The office's rules around the incoming workflow's events that are not the machine's transitions: which gate (关)
 * each gated event passes, for the strict separation of duties (GONGWEN_STRICT_SEPARATION: one person passes at
 * most one gate of an item), and the states in which nothing may change.
 */
import type { IncomingEventType } from './types.js';

/** 初审 (the registrar), 拟办 (the chief), 批示 (a leader): under strict separation three different people. */
export type GateName = 'check' | 'proposal' | 'instruction';

/** The gate each gated event passes. */
export const GATE_OF: Readonly<Partial<Record<IncomingEventType, GateName>>> = {
  PASS_CHECK: 'check',
  PROPOSE: 'proposal',
  ASSIGN_DIRECTLY: 'proposal',
  INSTRUCT: 'instruction',
};

/** States in which the item is closed: no event is allowed (filed, returned to its sender). */
export const CLOSED_STATES = ['archived', 'returned'] as const;

/** States in which nothing may change any more. */
export const READ_ONLY_STATES = ['archived', 'returned'] as const;
