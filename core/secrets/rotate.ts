import type { Knex } from 'knex'
import type { Config } from '../config.ts'
import { fingerprint } from './aead.ts'
import { DATA_KEY_COLUMNS, unwrapDataKey, wrapDataKey, type WrappedDataKey } from './data-keys.ts'
import { stageKeyFile } from './key-file.ts'
import { MASTER_KEY_FILE, resolveMasterKey } from './master-key.ts'

/**
 * Re-wraps every data key from `oldKek` to `newKek` in one transaction; the secrets, encrypted
 * with the data keys, are untouched. Each key is unwrapped with the old master key first, so a
 * wrong old key changes nothing (MasterKeyMismatchError). Keys already under `newKek` (a re-run
 * after an interrupted change) are verified and left alone. Returns how many were re-wrapped.
 */
export async function rotateMasterKey (db: Knex, oldKek: Buffer, newKek: Buffer): Promise<number> {
  if (oldKek.equals(newKek)) throw new Error('The new master key is the current one; nothing to rotate')
  const newFingerprint = fingerprint(newKek)
  return await db.transaction(async trx => {
    // Writers wait until this commits, so no data key is created under the old key meanwhile.
    await trx.raw('LOCK TABLE data_keys IN EXCLUSIVE MODE')
    const rows = await trx<WrappedDataKey>('data_keys').select(...DATA_KEY_COLUMNS)
    const rewrapped = rows.flatMap(row => {
      if (row.kek_fingerprint === newFingerprint) {
        unwrapDataKey(newKek, row)
        return []
      }
      return [wrapDataKey(newKek, row.workspace_id, unwrapDataKey(oldKek, row))]
    })
    if (rewrapped.length === 0) return 0
    await trx.raw(`
      UPDATE data_keys d SET wrapped_key = v.wrapped_key, kek_fingerprint = v.kek_fingerprint, rotated_at = now()
      FROM jsonb_to_recordset(?::jsonb) AS v(workspace_id uuid, wrapped_key text, kek_fingerprint text)
      WHERE d.workspace_id = v.workspace_id`, [JSON.stringify(rewrapped)])
    return rewrapped.length
  })
}

/**
 * The `rotate-master-key` command: moves the data keys from the configured master key
 * (STOCKTAKE_MASTER_KEY or the data folder's master.key) to `newKek`. When the current key is
 * the file, the new key is written beside it before the database changes and replaces it after,
 * so at no moment is the only copy of the key in use held in memory.
 */
export async function rotateConfiguredMasterKey (db: Knex, config: Pick<Config, 'masterKey' | 'dataDir'>, newKek: Buffer) {
  const current = await resolveMasterKey(config)
  if (!current.file) return { count: await rotateMasterKey(db, current.key, newKek), keyFile: null }
  const staged = await stageKeyFile(config.dataDir, MASTER_KEY_FILE, newKek.toString('base64url'))
  let count: number
  try {
    count = await rotateMasterKey(db, current.key, newKek)
  } catch (err) {
    await staged.discard()
    throw err
  }
  await staged.commit()
  return { count, keyFile: current.file }
}
