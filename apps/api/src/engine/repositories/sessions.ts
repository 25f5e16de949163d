/**
 * The one definition of a valid session (token not revoked, not expired, its user active), as SQL over
 * `auth_tokens t JOIN users u ON u.id = t.user_id`. The transition write re-checks a cached session with it.
 */
export const SESSION_VALID = `t.revoked_at IS NULL AND t.expires_at > now() AND u.active`;
