import type { OutgoingContext, OutgoingState } from '#gongwen/workflows/outgoing/types';
import type { EngineRow } from '../engine/types.js';

/** A documents row of the outgoing workflow. */
export type DocumentRow = EngineRow<OutgoingState, OutgoingContext>;
