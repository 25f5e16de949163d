import type { OutgoingContext, OutgoingState } from '../../../../workflows/outgoing/types.js';
import type { EngineRow } from '../engine/types.js';

/** A documents row of the outgoing workflow. */
export type DocumentRow = EngineRow<OutgoingState, OutgoingContext>;
