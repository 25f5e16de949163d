import { Foundation1764000000000 } from './1764000000000-Foundation.js';
import { Documents1764000100000 } from './1764000100000-Documents.js';

/** Every migration, oldest first. Add new ones at the end. */
export const migrations = [Foundation1764000000000, Documents1764000100000];
