// Sign-in attempts and continuations (migration 024): rows shared by every web node, each used
// once (deleted as it is read), expiring on their own and pruned as new ones are made.
import { createHash, randomBytes } from 'node:crypto'
import type { Knex } from 'knex'

export const ATTEMPT_MINUTES = 10
/** How long a POST callback's verified outcome waits for its same-site GET (one redirect). */
export const CONTINUATION_MINUTES = 2

/** 256 random bits, URL-safe: an attempt's `state`, a continuation's token, a browser binding. */
export const newToken = (): string => randomBytes(32).toString('base64url')
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex')

export interface NewAttempt {
  workspaceId: string
  state: string
  pluginId: string
  method: string
  sealedSecrets: string | null
  bindingHash: string | null
  returnPath: string
}

async function prune (db: Knex, workspaceId: string): Promise<void> {
  await db('sign_in_attempts').where({ workspace_id: workspaceId }).where('expires_at', '<', db.fn.now()).delete()
}

export async function createAttempt (db: Knex, attempt: NewAttempt): Promise<void> {
  await prune(db, attempt.workspaceId)
  await db('sign_in_attempts').insert({
    workspace_id: attempt.workspaceId,
    state_hash: tokenHash(attempt.state),
    plugin_id: attempt.pluginId,
    method: attempt.method,
    sealed_secrets: attempt.sealedSecrets,
    binding_hash: attempt.bindingHash,
    return_path: attempt.returnPath,
    expires_at: db.raw('now() + make_interval(mins => ?)', [ATTEMPT_MINUTES])
  })
}

export interface AttemptRow {
  sealed_secrets: string | null
  binding_hash: string | null
  return_path: string
}

/** The row a token names for this plugin and method, unexpired, deleted as it is read (used once). */
async function takeRow<T> (db: Knex, workspaceId: string, token: string, pluginId: string, method: string, continuation: boolean, columns: string[]): Promise<T | undefined> {
  const [row] = await db('sign_in_attempts')
    .where({ workspace_id: workspaceId, state_hash: tokenHash(token), plugin_id: pluginId, method })
    .modify(q => { if (continuation) q.whereNotNull('sealed_outcome'); else q.whereNull('sealed_outcome') })
    .where('expires_at', '>', db.fn.now())
    .delete().returning(columns)
  return row
}

/** The attempt this state names for this plugin and method; undefined when unknown, used or expired. */
export async function takeAttempt (db: Knex, workspaceId: string, state: string, pluginId: string, method: string): Promise<AttemptRow | undefined> {
  return await takeRow<AttemptRow>(db, workspaceId, state, pluginId, method, false, ['sealed_secrets', 'binding_hash', 'return_path'])
}

/** Keeps a POST callback's verified outcome for its GET; returns the continuation's token. */
export async function createContinuation (db: Knex, c: { workspaceId: string, pluginId: string, method: string, bindingHash: string, returnPath: string, sealedOutcome: string }): Promise<string> {
  const token = newToken()
  await db('sign_in_attempts').insert({
    workspace_id: c.workspaceId,
    state_hash: tokenHash(token),
    plugin_id: c.pluginId,
    method: c.method,
    binding_hash: c.bindingHash,
    return_path: c.returnPath,
    sealed_outcome: c.sealedOutcome,
    expires_at: db.raw('now() + make_interval(mins => ?)', [CONTINUATION_MINUTES])
  })
  return token
}

/** The continuation this token names; undefined when unknown, used or expired. */
export async function takeContinuation (db: Knex, workspaceId: string, token: string, pluginId: string, method: string): Promise<{ binding_hash: string, return_path: string, sealed_outcome: string } | undefined> {
  return await takeRow(db, workspaceId, token, pluginId, method, true, ['binding_hash', 'return_path', 'sealed_outcome'])
}
