import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { fingerprint, KEY_BYTES, open, seal } from './aead.ts'
import { MasterKeyMismatchError, SecretDecryptError } from './errors.ts'

export interface WrappedDataKey {
  workspace_id: string
  wrapped_key: string
  kek_fingerprint: string
}

/** Wraps a data key under the master key, bound to its workspace (the id is the AAD). */
export function wrapDataKey (kek: Buffer, workspaceId: string, dataKey: Buffer): WrappedDataKey {
  return { workspace_id: workspaceId, wrapped_key: seal(kek, dataKey, workspaceId), kek_fingerprint: fingerprint(kek) }
}

/** Unwraps a data key; a different master key is reported as such, an altered row as corrupt. */
export function unwrapDataKey (kek: Buffer, row: WrappedDataKey): Buffer {
  const current = fingerprint(kek)
  if (row.kek_fingerprint !== current) throw new MasterKeyMismatchError(row.workspace_id, row.kek_fingerprint, current)
  try {
    return open(kek, row.wrapped_key, row.workspace_id)
  } catch {
    throw new SecretDecryptError(`The data key of workspace ${row.workspace_id} failed authentication: its data_keys row was altered`)
  }
}

export const DATA_KEY_COLUMNS = ['workspace_id', 'wrapped_key', 'kek_fingerprint']

/**
 * The workspace's data key, created on first use. Race-safe: concurrent first uses insert with
 * ON CONFLICT DO NOTHING and all read the one row that won. `q` may be a transaction; then it is
 * the only connection used.
 */
export async function loadDataKey (q: Knex | Knex.Transaction, kek: Buffer, workspaceId: string): Promise<Buffer> {
  const select = () => q<WrappedDataKey>('data_keys').where({ workspace_id: workspaceId }).first(...DATA_KEY_COLUMNS)
  const existing = await select()
  if (existing) return unwrapDataKey(kek, existing)
  const dataKey = randomBytes(KEY_BYTES)
  const inserted = await q('data_keys').insert(wrapDataKey(kek, workspaceId, dataKey))
    .onConflict('workspace_id').ignore().returning('workspace_id')
    .catch((err: { code?: string }) => {
      if (err.code === '23503') throw new Error(`Workspace ${workspaceId} does not exist`)
      throw err
    })
  if (inserted.length > 0) return dataKey
  return unwrapDataKey(kek, (await select())!)
}

/** Fails fast (at start-up) when a data key was wrapped by another master key than `kek`. */
export async function checkMasterKey (db: Knex, kek: Buffer): Promise<void> {
  const current = fingerprint(kek)
  const other = await db<WrappedDataKey>('data_keys').whereNot({ kek_fingerprint: current }).first(...DATA_KEY_COLUMNS)
  if (other) throw new MasterKeyMismatchError(other.workspace_id, other.kek_fingerprint, current)
}
