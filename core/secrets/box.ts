import type { Knex } from 'knex'
import { KEY_BYTES, open, seal } from './aead.ts'
import { loadDataKey } from './data-keys.ts'

type Fields = Record<string, string>

/**
 * Encrypts and decrypts a workspace's secrets with its data key (AES-256-GCM, the workspace id
 * as additional authenticated data, so a ciphertext moved to another workspace fails).
 *
 * Unwrapped data keys are cached in this process, but only when read outside a transaction: a
 * key created inside one that rolls back must not outlive it. With `trx`, only `trx` is queried
 * (the embedded database serves one transaction at a time).
 */
export class SecretBox {
  readonly #db: Knex
  readonly #kek: Buffer
  readonly #dataKeys = new Map<string, Buffer>()

  constructor (db: Knex, kek: Buffer) {
    if (kek.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes`)
    this.#db = db
    this.#kek = Buffer.from(kek)
  }

  async encrypt (workspaceId: string, plaintext: string, trx?: Knex.Transaction): Promise<string> {
    return seal(await this.#dataKey(workspaceId, trx), Buffer.from(plaintext, 'utf8'), workspaceId)
  }

  async decrypt (workspaceId: string, ciphertext: string, trx?: Knex.Transaction): Promise<string> {
    return open(await this.#dataKey(workspaceId, trx), ciphertext, workspaceId).toString('utf8')
  }

  /** Encrypts every value of `fields`, keeping the names. */
  async encryptFields (workspaceId: string, fields: Fields, trx?: Knex.Transaction): Promise<Fields> {
    const key = await this.#dataKey(workspaceId, trx)
    return mapValues(fields, value => seal(key, Buffer.from(value, 'utf8'), workspaceId))
  }

  /** Decrypts every value of `fields`; one bad value fails the whole call. */
  async decryptFields (workspaceId: string, fields: Fields, trx?: Knex.Transaction): Promise<Fields> {
    const key = await this.#dataKey(workspaceId, trx)
    return mapValues(fields, value => open(key, value, workspaceId).toString('utf8'))
  }

  async #dataKey (workspaceId: string, trx?: Knex.Transaction): Promise<Buffer> {
    const cached = this.#dataKeys.get(workspaceId)
    if (cached) return cached
    const key = await loadDataKey(trx ?? this.#db, this.#kek, workspaceId)
    if (!trx) this.#dataKeys.set(workspaceId, key)
    return key
  }
}

function mapValues (fields: Fields, fn: (value: string) => string): Fields {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, fn(value)]))
}
