import { SYSTEM_USER } from '../documents/reminders.service.js';
import type { AuthUser } from '../auth/auth.types.js';

/**
 * The system account as it acts on one unit's incoming items (the reminder sweep, the answer of a registered
 * reply): sight through the unit's registrar key (an item is seen by unit keys, and the system account has no
 * part in it), while the policy knows it by its id (isSystemActor) for REMIND and ANSWER.
 */
export function systemIn(unitId: string): AuthUser {
  return { ...SYSTEM_USER, roles: ['registrar'], unitId };
}
