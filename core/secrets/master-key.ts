import path from 'node:path'
import type { Config } from '../config.ts'
import { KEY_BYTES } from './aead.ts'
import { MasterKeyFormatError } from './errors.ts'
import { readOrCreateKeyFile } from './key-file.ts'

export const MASTER_KEY_ENV = 'STOCKTAKE_MASTER_KEY'
export const MASTER_KEY_FILE = 'master.key'

const RULE = `must be ${KEY_BYTES} random bytes written as base64 or base64url (43 or 44 characters) ` +
  'or as 64 hexadecimal digits; generate one with `openssl rand -base64 32`'

/** Decodes a master key; `name` (the variable or file it came from) is named in the error, the value never. */
export function parseMasterKey (value: string | null | undefined, name = MASTER_KEY_ENV): Buffer {
  const text = (value ?? '').trim()
  if (text === '') throw new MasterKeyFormatError(`${name} is not set; it ${RULE}`)
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64')
    const canonical = text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '')
    if (key.length === KEY_BYTES && key.toString('base64url') === canonical) return key
  }
  throw new MasterKeyFormatError(`${name} ${RULE}`)
}

export interface MasterKey {
  key: Buffer
  /** The data-folder file it was read from, or null when it came from STOCKTAKE_MASTER_KEY. */
  file: string | null
}

/**
 * The key-encryption key: STOCKTAKE_MASTER_KEY, or else `<data folder>/master.key`, generated
 * (mode 0600) on first use so that a single-machine install needs no configuration.
 */
export async function resolveMasterKey (config: Pick<Config, 'masterKey' | 'dataDir'>): Promise<MasterKey> {
  if (config.masterKey) return { key: parseMasterKey(config.masterKey), file: null }
  const file = path.join(config.dataDir, MASTER_KEY_FILE)
  return { key: parseMasterKey(await readOrCreateKeyFile(config.dataDir, MASTER_KEY_FILE, KEY_BYTES), file), file }
}

export async function loadMasterKey (config: Pick<Config, 'masterKey' | 'dataDir'>): Promise<Buffer> {
  return (await resolveMasterKey(config)).key
}
