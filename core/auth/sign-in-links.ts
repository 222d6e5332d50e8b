import type { Knex } from 'knex'
import { workspaceUrl, type Config } from '../config.ts'
import { hashSecret, newSecret } from './tokens.ts'

/** A link the operator makes (first start, `create-admin`) is used at once, from the same shell. */
export const SIGN_IN_LINK_TTL_MINUTES = 15
/** A link an admin sends a colleague from a page waits for them to read it: a working day and a night. */
export const SENT_SIGN_IN_LINK_TTL_MINUTES = 24 * 60

/** The address a token is opened at. */
export function signInLinkUrl (config: Pick<Config, 'baseUrl'>, slug: string, token: string): string {
  return `${workspaceUrl(config, slug)}/sign-in/link/${token}`
}

/** Issues a one-time sign-in token for a user; returns the token (only its hash is stored). */
export async function issueSignInLink (db: Knex, workspaceId: string, userId: string, ttlMinutes = SIGN_IN_LINK_TTL_MINUTES): Promise<string> {
  return (await issueSignInLinkUntil(db, workspaceId, userId, ttlMinutes)).token
}

/** As issueSignInLink, with the moment the link stops working. */
export async function issueSignInLinkUntil (db: Knex, workspaceId: string, userId: string, ttlMinutes: number): Promise<{ token: string, expiresAt: Date }> {
  const token = newSecret()
  const [row] = await db('sign_in_links').insert({
    workspace_id: workspaceId,
    user_id: userId,
    token_hash: hashSecret(token),
    expires_at: db.raw('now() + make_interval(mins => ?)', [ttlMinutes])
  }).returning('expires_at')
  return { token, expiresAt: row.expires_at }
}

/** Marks the link used and returns its user, or null when unknown, used, expired or of another workspace. */
export async function consumeSignInLink (db: Knex, workspaceId: string, token: string): Promise<string | null> {
  const rows = await db('sign_in_links')
    .where({ workspace_id: workspaceId, token_hash: hashSecret(token) })
    .whereNull('used_at').where('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() }).returning('user_id')
  return rows[0]?.user_id ?? null
}

/** Ends the user's links not used yet: a new link sent to someone replaces the ones sent before. */
export async function expireUnusedSignInLinks (db: Knex, workspaceId: string, userId: string): Promise<void> {
  await db('sign_in_links').where({ workspace_id: workspaceId, user_id: userId }).whereNull('used_at')
    .where('expires_at', '>', db.fn.now()).update({ expires_at: db.fn.now() })
}
