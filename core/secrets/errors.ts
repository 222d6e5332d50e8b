import { ConfigError } from '../config.ts'

/** A master key that is missing or not 32 bytes; the message names the variable or file. */
export class MasterKeyFormatError extends ConfigError {
  override name = 'MasterKeyFormatError'
}

/** A data key was wrapped by another master key than the one this process holds. */
export class MasterKeyMismatchError extends Error {
  override name = 'MasterKeyMismatchError'
  constructor (readonly workspaceId: string, readonly wrappedBy: string, readonly current: string) {
    super(`The data key of workspace ${workspaceId} was wrapped by a different master key ` +
      `(fingerprint ${wrappedBy}) than the current one (fingerprint ${current}). Set ` +
      'STOCKTAKE_MASTER_KEY (or the data folder\'s master.key) back to the previous master key, ' +
      'or, holding that key, run `npx stocktake rotate-master-key` with STOCKTAKE_NEW_MASTER_KEY ' +
      'to move the data keys to a new one.')
  }
}

/** A ciphertext that is malformed, altered, or from another workspace. Never carries the data. */
export class SecretDecryptError extends Error {
  override name = 'SecretDecryptError'
}
