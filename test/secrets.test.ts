import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import Fastify from 'fastify'
import type { Knex } from 'knex'
import { ConfigError, loadConfig } from '../core/config.ts'
import dbPlugin, { createKnex, migrateToLatest, openDatabase, startEmbedded } from '../core/db/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import secretsPlugin, {
  loadMasterKey, MasterKeyFormatError, MasterKeyMismatchError, parseMasterKey,
  rotateMasterKey, SecretBox, SecretDecryptError
} from '../core/secrets/index.ts'
import { open, seal } from '../core/secrets/aead.ts'
import { createTestDatabase } from './helpers/database.ts'
import { migratedTemplate } from './helpers/embedded-template.ts'
import { runToEnd } from './helpers/process.ts'

const database = await createTestDatabase()
t.teardown(() => database.close())
const db = database.db
const kek = randomBytes(32)
const box = new SecretBox(db, kek)
let slugs = 0
const workspace = async (knex: Knex = db) => (await ensureWorkspace(knex, `secrets-${++slugs}`)).workspace.id
const dataKeyCount = async (knex: Knex, ws: string) => Number((await knex('data_keys').where({ workspace_id: ws }).count({ n: '*' }))[0].n)
const tempDir = async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-secrets-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('round trip; each ciphertext is new and never contains the plaintext', async t => {
  const ws = await workspace()
  const secret = 'correct horse battery staple ✓'
  const [a, b] = [await box.encrypt(ws, secret), await box.encrypt(ws, secret)]
  t.match(a, /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/, 'versioned format')
  t.not(a, b, 'a random IV makes every ciphertext different')
  for (const c of [a, b]) {
    t.notOk(c.includes(secret) || c.includes(Buffer.from(secret).toString('base64url').slice(0, 12)), 'plaintext not visible')
    t.equal(await box.decrypt(ws, c), secret)
  }
  t.equal(await box.decrypt(ws, await box.encrypt(ws, '')), '', 'the empty string too')
  const fields = await box.encryptFields(ws, { apiKey: 'k-123', clientSecret: 's-456' })
  t.same(Object.keys(fields), ['apiKey', 'clientSecret'])
  t.same(await new SecretBox(db, kek).decryptFields(ws, fields), { apiKey: 'k-123', clientSecret: 's-456' })
  t.equal(await dataKeyCount(db, ws), 1, 'one data key for the workspace')
})

t.test('changing any character of a ciphertext makes it fail', async t => {
  const ws = await workspace()
  const token = await box.encrypt(ws, 'tamper-proof')
  const accepted: number[] = []
  for (let i = 0; i < token.length; i++) {
    const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1)
    const err = await box.decrypt(ws, altered).then(() => null, (e: unknown) => e)
    if (!(err instanceof SecretDecryptError)) accepted.push(i)
  }
  t.same(accepted, [], `all ${token.length} altered positions rejected`)
  for (const bad of [token.slice(0, -2), `v2${token.slice(2)}`, `${token}.x`, 'plain text']) {
    await t.rejects(box.decrypt(ws, bad), SecretDecryptError, `rejects ${bad.slice(0, 8)}…`)
  }
})

t.test('a ciphertext or data key moved to another workspace fails', async t => {
  const [a, b] = [await workspace(), await workspace()]
  const token = await box.encrypt(a, 'only for a')
  await t.rejects(box.decrypt(b, token), SecretDecryptError)
  await t.rejects(box.decryptFields(b, { x: token }), SecretDecryptError)
  const key = randomBytes(32)
  t.throws(() => open(key, seal(key, Buffer.from('x'), a), b), SecretDecryptError, 'the workspace id is authenticated (AAD)')
  const rowA = await db('data_keys').where({ workspace_id: a }).first()
  await db('data_keys').where({ workspace_id: b }).update({ wrapped_key: rowA.wrapped_key })
  await t.rejects(new SecretBox(db, kek).decrypt(b, token), { name: 'SecretDecryptError', message: /data_keys row was altered/ })
})

t.test('concurrent first uses create exactly one data key', async t => {
  const ws = await workspace()
  const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => new SecretBox(db, kek).encrypt(ws, `s${i}`)))
  t.equal(await dataKeyCount(db, ws), 1)
  const fresh = new SecretBox(db, kek)
  t.same(await Promise.all(tokens.map(c => fresh.decrypt(ws, c))), tokens.map((_, i) => `s${i}`))
})

t.test('inside a transaction only the transaction is used; a rolled-back key is forgotten', async t => {
  const ws = await workspace()
  const local = new SecretBox(db, kek)
  await db.transaction(async trx => {
    const token = await local.encrypt(ws, 'in trx', trx)
    t.equal(await local.decrypt(ws, token, trx), 'in trx')
    t.same(await local.decryptFields(ws, await local.encryptFields(ws, { a: '1' }, trx), trx), { a: '1' })
    await trx.rollback()
  })
  t.equal(await dataKeyCount(db, ws), 0, 'rolled back with the transaction')
  const token = await local.encrypt(ws, 'after')
  t.equal(await new SecretBox(db, kek).decrypt(ws, token), 'after', 'the key in use is the stored one')
  await t.rejects(box.encrypt('00000000-0000-0000-0000-000000000000', 'x'), /does not exist/)
})

t.test('rotateMasterKey re-wraps data keys and leaves secrets as they are', async t => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const [a, b] = [await workspace(own.db), await workspace(own.db)]
  const oldBox = new SecretBox(own.db, kek)
  const tokens = [await oldBox.encrypt(a, 'alpha'), await oldBox.encrypt(b, 'beta')]
  const newKek = randomBytes(32)
  await t.rejects(rotateMasterKey(own.db, randomBytes(32), newKek), MasterKeyMismatchError, 'a wrong old key changes nothing')
  t.equal(await rotateMasterKey(own.db, kek, newKek), 2)
  t.equal(await rotateMasterKey(own.db, kek, newKek), 0, 'a re-run finds them already under the new key')
  await t.rejects(rotateMasterKey(own.db, newKek, newKek), /same|current/)
  const rows = await own.db('data_keys').whereIn('workspace_id', [a, b])
  t.ok(rows.every(r => r.rotated_at !== null), 'rotated_at set')
  const err = await new SecretBox(own.db, kek).decrypt(a, tokens[0]).catch((e: unknown) => e) as Error
  t.type(err, MasterKeyMismatchError)
  t.match(err.message, /wrapped by a different master key \(fingerprint [0-9a-f]{16}\).*STOCKTAKE_MASTER_KEY.*rotate-master-key/s)
  for (const form of ['hex', 'base64', 'base64url'] as const) t.notOk(err.message.includes(kek.toString(form)), `no key in the message (${form})`)
  const newBox = new SecretBox(own.db, newKek)
  t.same([await newBox.decrypt(a, tokens[0]), await newBox.decrypt(b, tokens[1])], ['alpha', 'beta'])

  const withPlugin = async (key: Buffer) => {
    const app = Fastify({ logger: false })
    await app.register(dbPlugin, { db: own.db }).register(secretsPlugin, { kek: key }).ready()
    return app
  }
  await t.rejects(withPlugin(kek), MasterKeyMismatchError, 'the plugin refuses to start with the old key')
  const app = await withPlugin(newKek)
  t.equal(await app.secrets.decrypt(b, tokens[1]), 'beta')
  await app.close()
})

t.test('STOCKTAKE_MASTER_KEY must be 32 bytes in base64, base64url or hex', async t => {
  const key = randomBytes(32)
  for (const good of [key.toString('base64'), key.toString('base64url'), key.toString('hex'), key.toString('hex').toUpperCase()]) {
    t.ok(parseMasterKey(good).equals(key), `accepts ${good.length} characters`)
  }
  const bad = ['too-short', 'x'.repeat(44), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'),
    randomBytes(31).toString('hex'), `${key.toString('hex')}00`, 'g'.repeat(64), `${key.toString('base64url').slice(0, 42)}_`]
  for (const value of bad) {
    const err = t.throws(() => parseMasterKey(value)) as Error
    t.type(err, MasterKeyFormatError)
    t.type(err, ConfigError, 'reported like any bad variable')
    t.match(err.message, /^STOCKTAKE_MASTER_KEY must be 32 random bytes .*base64.*hex/)
    t.notOk(err.message.includes(value), 'the value is not echoed')
  }
  await t.rejects(loadMasterKey({ masterKey: 'not a key at all, but 32+ chars long', dataDir: '/nonexistent' }), MasterKeyFormatError)
  t.throws(() => parseMasterKey(undefined, 'STOCKTAKE_NEW_MASTER_KEY'), { message: /^STOCKTAKE_NEW_MASTER_KEY is not set/ })
})

t.test('without STOCKTAKE_MASTER_KEY a master.key is generated (0600) and reused', async t => {
  const dataDir = path.join(await tempDir(), 'data')
  const key = await loadMasterKey({ masterKey: null, dataDir })
  t.equal(key.length, 32)
  t.equal((await fs.stat(path.join(dataDir, 'master.key'))).mode & 0o777, 0o600)
  t.ok((await loadMasterKey({ masterKey: null, dataDir })).equals(key), 'reused')
  await fs.writeFile(path.join(dataDir, 'master.key'), 'garbage')
  await t.rejects(loadMasterKey({ masterKey: null, dataDir }), { message: `${path.join(dataDir, 'master.key')} must be 32 random bytes` })
})

t.test('npx stocktake rotate-master-key, end to end on the embedded database', async t => {
  const dir = await tempDir()
  const config = loadConfig({ STOCKTAKE_DATA_DIR: dir }) // no DATABASE_URL: embedded, on disk
  const withDb = async <T>(opened: { url: string }, close: () => Promise<void>, fn: (knex: Knex) => Promise<T>): Promise<T> => {
    const knex = createKnex(opened.url)
    try { await migrateToLatest(knex); return await fn(knex) } finally { await knex.destroy(); await close() }
  }
  const original = await loadMasterKey(config)
  // Seeded from the migrated template (faster than a first start on disk).
  const seeded = await startEmbedded(dir, { loadDataDir: await migratedTemplate() })
  const { ws, token } = await withDb(seeded, seeded.stop, async knex => {
    const ws = await workspace(knex)
    return { ws, token: await new SecretBox(knex, original).encrypt(ws, 'vendor-api-key') }
  })
  const cli = (env: Record<string, string>) => runToEnd('node', ['scripts/stocktake.js', 'rotate-master-key'],
    { STOCKTAKE_DATA_DIR: dir, DATABASE_URL: '', STOCKTAKE_MASTER_KEY: '', LOG_LEVEL: 'silent', ...env })

  const missing = await cli({ STOCKTAKE_NEW_MASTER_KEY: '' })
  t.equal(missing.code, 1)
  t.match(missing.output, /STOCKTAKE_NEW_MASTER_KEY is not set/)

  const second = randomBytes(32)
  const fromFile = await cli({ STOCKTAKE_NEW_MASTER_KEY: second.toString('base64') })
  t.equal(fromFile.code, 0, fromFile.output)
  t.match(fromFile.output, /Re-wrapped 1 data key with the new master key\.\nWrote the new master key to .*master\.key\./)
  const keyFile = path.join(dir, 'master.key')
  t.equal(await fs.readFile(keyFile, 'utf8'), second.toString('base64url'), 'the file holds the new key')
  t.equal((await fs.stat(keyFile)).mode & 0o777, 0o600)
  t.same((await fs.readdir(dir)).filter(f => f.startsWith('master.key')), ['master.key'], 'nothing left aside')

  const third = randomBytes(32)
  const fromEnv = await cli({ STOCKTAKE_MASTER_KEY: second.toString('hex'), STOCKTAKE_NEW_MASTER_KEY: third.toString('base64url') })
  t.equal(fromEnv.code, 0, fromEnv.output)
  t.match(fromEnv.output, /Re-wrapped 1 data key.*\nNow set STOCKTAKE_MASTER_KEY to the new key/)
  t.equal(await fs.readFile(keyFile, 'utf8'), second.toString('base64url'), 'the file is left alone')

  const reopened = await openDatabase(config, { share: false })
  await withDb(reopened, reopened.close, async knex => {
    t.equal(await new SecretBox(knex, third).decrypt(ws, token), 'vendor-api-key', 'the old secret opens with the newest key')
    await t.rejects(new SecretBox(knex, original).decrypt(ws, token), MasterKeyMismatchError)
  })
})
