/**
 * The outgoing-document workflow (发文), version 1, as a pure XState v5 machine.
 *
 * No delays, no spawned actors, no I/O, no clock: every event carries its `actor` and `at`, stamped by
 * the service. Every transition is guarded by BOTH
 *   - `permitted`:  the actor's role and assignment (policy.ts permissionConditions), and
 *   - `passesGate`: the payload and the stage's gate (policy.ts gateConditions),
 * so the machine accepts an event exactly when explainRejection() returns null.
 *
 * Detecting acceptance: when no transition is enabled, `transition()` returns the very same snapshot
 * object (same `value`, same `context` reference). Every accepted event assigns a new context object
 * (and/or changes `value`), so `next !== snapshot` (equivalently `next.context !== snapshot.context`)
 * means accepted. applyEvent() below does this for the service: permission check, then `transition()`
 * (guards evaluated once: a separate `snapshot.can(event)` would evaluate them twice), and on refusal
 * explainRejection().
 */
import { effectiveActor } from '#gongwen/authority';
import { and, assertEvent, assign, initialTransition, setup, type SnapshotFrom } from 'xstate';
import { bindMachine, type ApplyResult as KitApplyResult } from '../kit/machine.js';
import { applyAnchors } from './marks.js';
import { explainRejection, gateConditions, hasSigned, isPermitted, permissionConditions, remindTargets } from './policy.js';
import type {
  GateViolation,
  OutgoingContext,
  OutgoingEvent,
  OutgoingInput,
  OutgoingState,
  PersistedOutgoingSnapshot,
  ProofreadingMark,
  SignatureRecord,
} from './types.js';
import { OUTGOING_STATES } from './types.js';

export type { OutgoingInput } from './types.js';

export const OUTGOING_WORKFLOW = { id: 'outgoing', version: 1 } as const;

type StateParam = { state: OutgoingState };
/** Guard references: role + assignment, and payload + gate, for the state the transition leaves. */
const permitted = (state: OutgoingState) => ({ type: 'permitted', params: { state } }) as const;
const gate = (state: OutgoingState) => ({ type: 'passesGate', params: { state } }) as const;

function addUnique(list: string[], id: string): string[] {
  return list.includes(id) ? list : [...list, id];
}

/** The context of a newly created document. */
export function initialContext(input: OutgoingInput): OutgoingContext {
  return {
    documentId: input.documentId,
    kind: input.kind,
    classification: input.classification,
    issuerUnitIds: [...input.issuerUnitIds],
    major: input.major === true,
    chiefId: input.chiefId,
    sections: input.sections.map((s) => ({ id: s.id, title: s.title, drafterId: s.drafterId, status: 'drafting' })),
    revision: { number: input.revision.number, hash: input.revision.hash },
    missingElements: [...input.missingElements],
    // The creator authored the initial revision.
    drafterIds: input.creatorId ? [input.creatorId] : [],
    marks: [],
    requiredSigners: input.requiredSigners.map((r) => ({ issuerUnitId: r.issuerUnitId, signerId: r.signerId })),
    signatures: [],
    readers: [],
    decisions: [],
    creatorId: input.creatorId,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
  };
}

/**
 * Problems with an input that would leave the document unable to finish (e.g. an issuing body with no
 * required signer). The machine does not refuse such input; the service should check it on creation.
 */
export function validateOutgoingInput(input: OutgoingInput): string[] {
  const out: string[] = [];
  if (!input.documentId) out.push('documentId is required');
  if (!input.chiefId) out.push('chiefId is required');
  if (!input.issuerUnitIds.length) out.push('at least one issuing body is required');
  if (!input.requiredSigners.length) out.push('at least one required signer is required');
  for (const unit of input.issuerUnitIds) {
    if (!input.requiredSigners.some((r) => r.issuerUnitId === unit)) out.push(`issuing body ${unit} has no required signer`);
  }
  for (const r of input.requiredSigners) {
    if (!input.issuerUnitIds.includes(r.issuerUnitId))
      out.push(`required signer ${r.signerId} signs for unknown issuing body ${r.issuerUnitId}`);
  }
  const ids = input.sections.map((s) => s.id);
  if (new Set(ids).size !== ids.length) out.push('section ids must be unique');
  return out;
}

const trimmed = (s: string): string => s.trim();

export const outgoingMachine = setup({
  types: {
    context: {} as OutgoingContext,
    events: {} as OutgoingEvent,
    input: {} as OutgoingInput,
  },
  guards: {
    /** Role + assignment (policy.ts). */
    permitted: ({ context, event }, params: StateParam) => isPermitted(params.state, context, event.actor, event.type),
    /** Payload + the stage's gate (policy.ts). */
    passesGate: ({ context, event }, params: StateParam) => gateConditions(params.state, context, event).length === 0,
    /** The signature completes the set of required signatures (会签). */
    completesSignatures: ({ context, event }) => {
      assertEvent(event, 'SIGN');
      return context.requiredSigners.every(
        (slot) =>
          hasSigned(context, slot) || (slot.issuerUnitId === event.issuerUnitId && slot.signerId === effectiveActor(event.actor).userId),
      );
    },
    allChecksPassed: ({ event }) => {
      assertEvent(event, 'REVIEW');
      return event.checks.every((c) => c.passed === true);
    },
    discussionAccepted: ({ event }) => {
      assertEvent(event, 'CLOSE_DISCUSSION');
      return event.decision === 'accept';
    },
    // A classified document stays in circulation until the clerk closes it: its numbered copies must be
    // recalled (清退) first, which the service checks at CLOSE_CIRCULATION.
    completesAcknowledgements: ({ context, event }) => {
      assertEvent(event, 'ACKNOWLEDGE');
      return (
        context.classification === 'none' &&
        context.readers.every((r) => r.acknowledgedAt || r.userId === effectiveActor(event.actor).userId)
      );
    },
  },
  actions: {
    addSection: assign(({ context, event }) => {
      assertEvent(event, 'ADD_SECTION');
      return {
        sections: [
          ...context.sections,
          { id: event.sectionId, title: event.title.trim(), drafterId: event.drafterId, status: 'drafting' as const },
        ],
      };
    }),
    recordSectionEdit: assign(({ context, event }) => {
      assertEvent(event, 'EDIT_SECTION');
      return {
        revision: { number: event.revision.number, hash: event.revision.hash },
        missingElements: [...event.revision.missingElements],
        drafterIds: addUnique(context.drafterIds, event.actor.userId),
        ...(event.anchors?.length ? { marks: applyAnchors(context.marks, event.anchors) } : {}),
      };
    }),
    submitSection: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT_SECTION');
      return {
        sections: context.sections.map((s) =>
          s.id === event.sectionId ? { id: s.id, title: s.title, drafterId: s.drafterId, status: 'submitted' as const } : s,
        ),
        drafterIds: addUnique(context.drafterIds, event.actor.userId),
      };
    }),
    /** A new revision; open marks follow their text, and in proofreading it may resolve marks or accept a suggestion. */
    recordContentEdit: assign(({ context, event }) => {
      assertEvent(event, 'EDIT_CONTENT');
      const resolves = new Set(event.resolvesMarks ?? []);
      if (event.acceptsSuggestion) resolves.add(event.acceptsSuggestion);
      const anchored = applyAnchors(context.marks, event.anchors);
      return {
        revision: { number: event.revision.number, hash: event.revision.hash },
        missingElements: [...event.revision.missingElements],
        drafterIds: addUnique(context.drafterIds, event.actor.userId),
        marks: resolves.size
          ? anchored.map((m): ProofreadingMark =>
              resolves.has(m.id) && m.status === 'open'
                ? {
                    ...m,
                    status: 'resolved',
                    resolvedByRevision: event.revision.number,
                    resolvedBy: event.actor.userId,
                    resolution: m.id === event.acceptsSuggestion ? 'suggestion' : 'revision',
                  }
                : m,
            )
          : anchored,
      };
    }),
    returnSection: assign(({ context, event }) => {
      assertEvent(event, 'RETURN_SECTION');
      return {
        sections: context.sections.map((s) =>
          s.id === event.sectionId ? { ...s, status: 'returned' as const, returnReason: trimmed(event.reason) } : s,
        ),
        lastReason: trimmed(event.reason),
      };
    }),
    markMajor: assign(({ context, event }) => {
      assertEvent(event, 'MARK_MAJOR');
      return {
        major: true,
        decisions: [...context.decisions, decision('mark_major', event.actor.userId, event.at, event.reason)],
      };
    }),
    startDiscussion: assign(({ context, event }) => {
      assertEvent(event, 'START_DISCUSSION');
      return {
        discussion: {
          round: (context.discussion?.round ?? 0) + 1,
          invitees: [...new Set(event.invitees)],
          requireAll: event.requireAll,
          comments: [],
        },
      };
    }),
    recordSkipDiscussion: assign(({ context, event }) => {
      assertEvent(event, 'SKIP_DISCUSSION');
      return {
        decisions: [...context.decisions, decision('skip_discussion', event.actor.userId, event.at, event.reason)],
      };
    }),
    addComment: assign(({ context, event }) => {
      assertEvent(event, 'COMMENT');
      const d = context.discussion!;
      return {
        discussion: {
          ...d,
          comments: [...d.comments, { userId: event.actor.userId, position: event.position, text: event.text ?? '', at: event.at }],
        },
      };
    }),
    recordDiscussionDecision: assign(({ context, event }) => {
      assertEvent(event, 'CLOSE_DISCUSSION');
      const revise = event.decision === 'revise';
      return {
        decisions: [
          ...context.decisions,
          decision(revise ? 'discussion_revise' : 'discussion_accept', event.actor.userId, event.at, event.reason),
        ],
        ...(revise ? { lastReason: trimmed(event.reason ?? '') } : {}),
      };
    }),
    addMark: assign(({ context, event }) => {
      assertEvent(event, 'ADD_MARK');
      const mark: ProofreadingMark = {
        id: event.markId,
        proofreaderId: event.actor.userId,
        revisionNumber: context.revision.number,
        blockId: event.blockId,
        start: event.start,
        end: event.end,
        kind: event.kind,
        comment: event.comment.trim(),
        status: 'open',
        ...(event.quote !== undefined ? { quote: event.quote } : {}),
        ...(event.suggestion !== undefined ? { suggestion: event.suggestion } : {}),
      };
      return { marks: [...context.marks, mark] };
    }),
    dismissMark: assign(({ context, event }) => {
      assertEvent(event, 'DISMISS_MARK');
      return {
        marks: context.marks.map((m): ProofreadingMark =>
          m.id === event.markId ? { ...m, status: 'dismissed', dismissReason: trimmed(event.reason), dismissedBy: event.actor.userId } : m,
        ),
      };
    }),
    resolveMark: assign(({ context, event }) => {
      assertEvent(event, 'RESOLVE_MARK');
      const note = event.note?.trim();
      return {
        marks: context.marks.map((m): ProofreadingMark =>
          m.id === event.markId
            ? { ...m, status: 'resolved', resolvedBy: event.actor.userId, resolution: 'chief', ...(note ? { resolveNote: note } : {}) }
            : m,
        ),
      };
    }),
    recordProofreadingPass: assign(({ event }) => {
      assertEvent(event, 'PASS_PROOFREADING');
      return { proofreaderId: event.actor.userId };
    }),
    /** Backward moves (RETURN, REJECT) and closing circulation early keep their reason. */
    recordReason: assign(({ event }) => {
      assertEvent(event, ['RETURN', 'REJECT', 'CLOSE_CIRCULATION']);
      return { lastReason: trimmed(event.reason) };
    }),
    recordReview: assign(({ event }) => {
      assertEvent(event, 'REVIEW');
      return {
        review: {
          reviewerId: event.actor.userId,
          checks: [...event.checks]
            .sort((a, b) => a.item - b.item)
            .map((c) =>
              hasComment(c.comment) ? { item: c.item, passed: c.passed, comment: c.comment.trim() } : { item: c.item, passed: c.passed },
            ),
          at: event.at,
        },
      };
    }),
    recordReviewFailure: assign(({ event }) => {
      assertEvent(event, 'REVIEW');
      const failed = [...event.checks].filter((c) => !c.passed).sort((a, b) => a.item - b.item);
      return { lastReason: `审核未通过: ${failed.map((c) => `(${c.item}) ${(c.comment ?? '').trim()}`).join('; ')}` };
    }),
    recordSignature: assign(({ context, event }) => {
      assertEvent(event, 'SIGN');
      const record: SignatureRecord = {
        issuerUnitId: event.issuerUnitId,
        // 代签: the slot is the principal's; who signed for him is recorded beside it
        signerId: effectiveActor(event.actor).userId,
        ...(event.actor.onBehalfOf ? { signedBy: event.actor.userId } : {}),
        revisionNumber: context.revision.number,
        revisionHash: context.revision.hash,
        ...(hasComment(event.opinion) ? { opinion: event.opinion.trim() } : {}),
        at: event.at,
      };
      return { signatures: [...context.signatures, record] };
    }),
    /** Any change after a signature voids it: going back from signing or registration clears them all. */
    clearSignatures: assign({ signatures: () => [] }),
    register: assign(({ event }) => {
      assertEvent(event, 'REGISTER');
      return {
        registration: {
          clerkId: event.actor.userId,
          documentNumber: event.documentNumber.trim(),
          serial: event.serial,
          year: event.year,
          copies: event.copies,
          at: event.at,
        },
        readers: event.readerIds.map((userId) => ({ userId, deliveredAt: event.at })),
      };
    }),
    openDocument: assign(({ context, event }) => {
      assertEvent(event, 'OPEN');
      return {
        readers: context.readers.map((r) =>
          r.userId === effectiveActor(event.actor).userId && !r.openedAt
            ? { ...r, openedAt: event.at, ...(event.actor.onBehalfOf ? { openedBy: event.actor.userId } : {}) }
            : r,
        ),
      };
    }),
    acknowledge: assign(({ context, event }) => {
      assertEvent(event, 'ACKNOWLEDGE');
      return {
        readers: context.readers.map((r) =>
          r.userId === effectiveActor(event.actor).userId
            ? {
                ...r,
                openedAt: r.openedAt ?? event.at,
                acknowledgedAt: event.at,
                ...(event.actor.onBehalfOf ? { acknowledgedBy: event.actor.userId } : {}),
                ...(hasComment(event.opinion) ? { opinion: event.opinion.trim() } : {}),
              }
            : r,
        ),
      };
    }),
    remind: assign(({ context, event }) => {
      assertEvent(event, 'REMIND');
      const targets = new Set(remindTargets(context, event.readerIds));
      return {
        readers: context.readers.map((r) => (targets.has(r.userId) ? { ...r, remindedAt: [...(r.remindedAt ?? []), event.at] } : r)),
      };
    }),
    recordCloseCirculation: assign(({ context, event }) => {
      assertEvent(event, 'CLOSE_CIRCULATION');
      return { decisions: [...context.decisions, decision('close_circulation', event.actor.userId, event.at, event.reason)] };
    }),
    recordSealUse: assign(({ context, event }) => {
      assertEvent(event, 'APPLY_SEAL');
      return {
        sealUses: [
          ...(context.sealUses ?? []),
          {
            issuerUnitId: event.issuerUnitId,
            sealId: event.seal!.sealId,
            custodianId: event.actor.userId,
            copies: context.registration?.copies ?? 1,
            at: event.at,
          },
        ],
      };
    }),
    file: assign(({ event }) => {
      assertEvent(event, 'FILE');
      return { filing: { archivistId: event.actor.userId, retention: event.retention, at: event.at } };
    }),
    withdraw: assign(({ context, event }) => {
      assertEvent(event, 'WITHDRAW');
      return {
        lastReason: trimmed(event.reason),
        decisions: [...context.decisions, decision('withdraw', event.actor.userId, event.at, event.reason)],
      };
    }),
  },
}).createMachine({
  id: 'outgoing',
  description:
    'Outgoing document (发文), version 1: drafting → consolidation → discussion → proofreading → review → signing → registration → circulation → archiving.',
  initial: 'drafting',
  // XState's pure transition() first builds a throwaway actor, whose eager initial snapshot (made without
  // input) is discarded: an empty context for it instead of a TypeError saves an exception per event
  context: ({ input }) => (input ? initialContext(input) : ({} as OutgoingContext)),
  states: {
    drafting: {
      description:
        '起草: the chief assigns sections; each secretary drafts and submits their own. Gate: every section submitted and every required element present.',
      on: {
        ADD_SECTION: {
          description: 'Chief adds a section and assigns its drafter.',
          guard: and([permitted('drafting'), gate('drafting')]),
          actions: 'addSection',
        },
        EDIT_SECTION: {
          description: 'The section drafter stores a new revision.',
          guard: and([permitted('drafting'), gate('drafting')]),
          actions: 'recordSectionEdit',
        },
        SUBMIT_SECTION: {
          description: 'The section drafter submits the section.',
          guard: and([permitted('drafting'), gate('drafting')]),
          actions: 'submitSection',
        },
        START_CONSOLIDATION: {
          description: 'Drafting gate passed: the chief starts consolidating (统稿).',
          target: 'consolidation',
          guard: and([permitted('drafting'), gate('drafting')]),
        },
        WITHDRAW: {
          description: 'The chief withdraws the document (撤回), with a reason.',
          target: 'withdrawn',
          guard: and([permitted('drafting'), gate('drafting')]),
          actions: 'withdraw',
        },
      },
    },
    consolidation: {
      description:
        '科长统稿: the chief merges the sections into one revision, may return a section, decides whether the document is major and whether to hold a discussion.',
      on: {
        EDIT_CONTENT: {
          description: 'The chief stores a consolidated revision.',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'recordContentEdit',
        },
        RETURN_SECTION: {
          description: 'The chief returns a section to its drafter, with a reason.',
          target: 'drafting',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'returnSection',
        },
        MARK_MAJOR: {
          description: 'The chief marks the document as major (大型综合材料): discussion becomes mandatory.',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'markMajor',
        },
        START_DISCUSSION: {
          description: 'The chief opens a discussion round (集体讨论) with invited participants.',
          target: 'discussion',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'startDiscussion',
        },
        SKIP_DISCUSSION: {
          description: 'The chief skips discussion for a simple document (recorded decision); not allowed for major documents.',
          target: 'proofreading',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'recordSkipDiscussion',
        },
        WITHDRAW: {
          description: 'The chief withdraws the document (撤回), with a reason.',
          target: 'withdrawn',
          guard: and([permitted('consolidation'), gate('consolidation')]),
          actions: 'withdraw',
        },
      },
    },
    discussion: {
      description: '集体讨论: invited participants comment and take a position; the chief closes the round with "revise" or "accept".',
      on: {
        COMMENT: {
          description: 'An invitee comments and takes a position.',
          guard: and([permitted('discussion'), gate('discussion')]),
          actions: 'addComment',
        },
        CLOSE_DISCUSSION: [
          {
            description: 'The chief accepts the draft: on to proofreading.',
            target: 'proofreading',
            guard: and([permitted('discussion'), gate('discussion'), 'discussionAccepted']),
            actions: 'recordDiscussionDecision',
          },
          {
            description: 'The chief sends the draft back for revision, with a reason.',
            target: 'consolidation',
            guard: and([permitted('discussion'), gate('discussion')]),
            actions: 'recordDiscussionDecision',
          },
        ],
        WITHDRAW: {
          description: 'The chief withdraws the document (撤回), with a reason.',
          target: 'withdrawn',
          guard: and([permitted('discussion'), gate('discussion')]),
          actions: 'withdraw',
        },
      },
    },
    proofreading: {
      description:
        '校对: the proofreader marks problems against the revision; drafters resolve them in a new revision. Gate: no open marks, passed by a proofreader who is not a drafter.',
      on: {
        ADD_MARK: {
          description: 'The proofreader marks a problem in the current revision.',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'addMark',
        },
        EDIT_CONTENT: {
          description: 'A drafter or the chief stores a new revision, resolving marks.',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'recordContentEdit',
        },
        DISMISS_MARK: {
          description: 'The proofreader or the chief dismisses a mark, with a reason.',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'dismissMark',
        },
        RESOLVE_MARK: {
          description: 'The chief declares a mark resolved (dealt with outside a suggestion), optionally with a note.',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'resolveMark',
        },
        PASS_PROOFREADING: {
          description: 'Proofreading gate passed: on to review.',
          target: 'review',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'recordProofreadingPass',
        },
        RETURN: {
          description: 'The proofreader sends the document back to consolidation, with a reason.',
          target: 'consolidation',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'recordReason',
        },
        WITHDRAW: {
          description: 'The chief withdraws the document (撤回), with a reason.',
          target: 'withdrawn',
          guard: and([permitted('proofreading'), gate('proofreading')]),
          actions: 'withdraw',
        },
      },
    },
    review: {
      description:
        '审核: the office reviewer checks the five points of Regulation art. 19; any failed check sends the document back with reasons.',
      on: {
        REVIEW: [
          {
            description: 'All five checks passed: on to signing.',
            target: 'signing',
            guard: and([permitted('review'), gate('review'), 'allChecksPassed']),
            actions: ['recordReview', 'clearSignatures'],
          },
          {
            description: 'A check failed: back to consolidation with the failed checks as the reason.',
            target: 'consolidation',
            guard: and([permitted('review'), gate('review')]),
            actions: ['recordReview', 'recordReviewFailure'],
          },
        ],
        RETURN: {
          description: 'The reviewer sends the document back to consolidation, with a reason.',
          target: 'consolidation',
          guard: and([permitted('review'), gate('review')]),
          actions: 'recordReason',
        },
        WITHDRAW: {
          description: 'The chief withdraws the document (撤回), with a reason.',
          target: 'withdrawn',
          guard: and([permitted('review'), gate('review')]),
          actions: 'withdraw',
        },
      },
    },
    signing: {
      description:
        '签发: every required signer signs the exact revision (its hash) within their authority; joint documents need every co-issuing body (会签). Rejecting needs a reason and voids all signatures.',
      on: {
        SIGN: [
          {
            description: 'The last required signature: on to registration.',
            target: 'registration',
            guard: and([permitted('signing'), gate('signing'), 'completesSignatures']),
            actions: 'recordSignature',
          },
          {
            description: 'A signature; other required signers have yet to sign.',
            guard: and([permitted('signing'), gate('signing')]),
            actions: 'recordSignature',
          },
        ],
        REJECT: {
          description: 'A signer rejects, with a reason: back to consolidation; all signatures are voided.',
          target: 'consolidation',
          guard: and([permitted('signing'), gate('signing')]),
          actions: ['recordReason', 'clearSignatures'],
        },
      },
    },
    registration: {
      description:
        '复核、登记: the clerk re-checks the approval chain and format, assigns the document number (发文字号), copies and distribution list.',
      on: {
        REGISTER: {
          description: 'The clerk registers and distributes the document.',
          target: 'circulation',
          guard: and([permitted('registration'), gate('registration')]),
          actions: 'register',
        },
        RETURN: {
          description: 'A substantive problem: back to the signers, with a reason; signatures are voided.',
          target: 'signing',
          guard: and([permitted('registration'), gate('registration')]),
          actions: ['recordReason', 'clearSignatures'],
        },
      },
    },
    circulation: {
      description:
        '分发、传阅: readers receive the document; the system records delivery, opening and acknowledgement; the clerk reminds (催办) and may close circulation with a reason.',
      on: {
        OPEN: {
          description: 'A reader opens the document (first opening recorded).',
          guard: and([permitted('circulation'), gate('circulation')]),
          actions: 'openDocument',
        },
        ACKNOWLEDGE: [
          {
            description: 'The last reader acknowledges: on to archiving.',
            target: 'archiving',
            guard: and([permitted('circulation'), gate('circulation'), 'completesAcknowledgements']),
            actions: 'acknowledge',
          },
          {
            description: 'A reader acknowledges, optionally with an opinion.',
            guard: and([permitted('circulation'), gate('circulation')]),
            actions: 'acknowledge',
          },
        ],
        REMIND: {
          description: 'The clerk reminds readers who have not acknowledged (催办).',
          guard: and([permitted('circulation'), gate('circulation')]),
          actions: 'remind',
        },
        CLOSE_CIRCULATION: {
          description: 'The clerk closes circulation early, with a reason.',
          target: 'archiving',
          guard: and([permitted('circulation'), gate('circulation')]),
          actions: ['recordReason', 'recordCloseCirculation'],
        },
        APPLY_SEAL: {
          description: "The issuing body's seal custodian (印章管理员) applies its seal (用印), recorded in the seal-use register.",
          guard: and([permitted('circulation'), gate('circulation')]),
          actions: 'recordSealUse',
        },
      },
    },
    archiving: {
      description: '归档: the archivist files the document with its retention period.',
      on: {
        FILE: {
          description: 'The archivist files the document.',
          target: 'archived',
          guard: and([permitted('archiving'), gate('archiving')]),
          actions: 'file',
        },
        APPLY_SEAL: {
          description: 'A registered document not yet filed may still be sealed by its custodian (用印).',
          guard: and([permitted('archiving'), gate('archiving')]),
          actions: 'recordSealUse',
        },
      },
    },
    archived: {
      type: 'final',
      description: 'Filed in the archive: read-only for good.',
    },
    withdrawn: {
      type: 'final',
      description: 'Withdrawn (撤回) by the chief before signing.',
    },
  },
});

function decision(type: string, by: string, at: string, reason?: string): OutgoingContext['decisions'][number] {
  return hasComment(reason) ? { type, by, at, reason: reason.trim() } : { type, by, at };
}

function hasComment(s: string | undefined): s is string {
  return typeof s === 'string' && s.trim().length > 0;
}

export type OutgoingMachine = typeof outgoingMachine;
export type OutgoingSnapshot = SnapshotFrom<typeof outgoingMachine>;

/** The first snapshot of a new document (pure). */
export function createOutgoingSnapshot(input: OutgoingInput): OutgoingSnapshot {
  if (!input) throw new TypeError('createOutgoingSnapshot needs the document input');
  return initialTransition(outgoingMachine, input)[0];
}

/** What applyEvent answers: accepted, the next snapshot (the same object on refusal), and why it was refused. */
export type ApplyResult = KitApplyResult<OutgoingSnapshot, GateViolation>;

// applying an event, storing and restoring a snapshot: the glue all workflows share (workflows/kit/machine.ts)
const pure = bindMachine<typeof outgoingMachine, OutgoingState, GateViolation, typeof OUTGOING_WORKFLOW>({
  machine: outgoingMachine,
  workflow: OUTGOING_WORKFLOW,
  name: 'outgoing',
  states: OUTGOING_STATES,
  permissionConditions,
  explainRejection,
});

/**
 * Apply one event (pure): permission check → `transition()`, accepted iff it returns a new snapshot.
 * On refusal the input snapshot is returned unchanged (same object) with the violation explaining why.
 */
export const applyEvent: (snapshot: OutgoingSnapshot, event: OutgoingEvent) => ApplyResult = pure.applyEvent;

/** The JSON to store: plain data, the context shared with the snapshot (see workflows/kit/machine.ts). */
export const persistSnapshot: (snapshot: OutgoingSnapshot) => PersistedOutgoingSnapshot = pure.persistSnapshot;

/** Rebuild a snapshot from stored JSON (from persistSnapshot, or anything with `value` and `context`). */
export const restoreSnapshot = pure.restoreSnapshot;
