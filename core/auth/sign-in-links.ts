import type { Knex } from 'knex'
import { hashSecret, newSecret } from './tokens.ts'

export const SIGN_IN_LINK_TTL_MINUTES = 15

/** Issues a one-time sign-in token for a user; returns the token (only its hash is stored). */
export async function issueSignInLink (db: Knex, workspaceId: string, userId: string, ttlMinutes = SIGN_IN_LINK_TTL_MINUTES): Promise<string> {
  const token = newSecret()
  await db('sign_in_links').insert({
    workspace_id: workspaceId,
    user_id: userId,
    token_hash: hashSecret(token),
    expires_at: db.raw('now() + make_interval(mins => ?)', [ttlMinutes])
  })
  return token
}

/** Marks the link used and returns its user, or null when unknown, used, expired or of another workspace. */
export async function consumeSignInLink (db: Knex, workspaceId: string, token: string): Promise<string | null> {
  const rows = await db('sign_in_links')
    .where({ workspace_id: workspaceId, token_hash: hashSecret(token) })
    .whereNull('used_at').where('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() }).returning('user_id')
  return rows[0]?.user_id ?? null
}
