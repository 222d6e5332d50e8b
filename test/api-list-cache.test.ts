// The API's list cache (core/api/list-cache.ts, migration 011): repeated reads come from memory,
// and every write committed before a read is in its answer, whoever made it.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'
import { ListCache, WATCHED_TABLES } from '../core/api/list-cache.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const api = await apiClient(app, acme.id)
const theirs = await apiClient(app, other.id)
const laptop = await app.registry.hardware.create(acme.id, systemActor, { serial: 'CACHE-1', name: 'First laptop' })
await app.registry.hardware.create(other.id, systemActor, { serial: 'THEIRS-1', name: 'Their laptop' })

const names = async (client = api, url = '/api/hardware?limit=100') => {
  const res = await client.call('GET', url)
  t.equal(res.statusCode, 200, `GET ${url}`)
  return (json(res).data as Array<{ name: string }>).map(h => h.name).sort()
}
const writesNoted = async () => Number((await app.db('table_writes').count({ n: '*' }))[0].n)

t.test('a repeated read comes from the cache; the next read after any committed write is fresh', async t => {
  t.same(await names(), ['First laptop'])
  const { hits } = app.listCache.stats
  t.same(await names(), ['First laptop'])
  t.equal(app.listCache.stats.hits, hits + 1, 'the second read was answered from the cache')

  t.equal((await api.call('PATCH', `/api/hardware/${laptop.id}`, { name: 'Renamed by the API' })).statusCode, 200)
  t.same(await names(), ['Renamed by the API'], 'a write through the API')

  await app.db('hardware').where({ id: laptop.id }).update({ name: 'Renamed by SQL' })
  t.same(await names(), ['Renamed by SQL'], 'a write in plain SQL on another connection')

  await app.db.raw(`INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, status, source)
    VALUES (?, 'ACME-SQL-1', 'SQL-1', 'Inserted by SQL', 'laptop', 'available', 'manual')`, [acme.id])
  t.same(await names(), ['Inserted by SQL', 'Renamed by SQL'], 'an insert')

  await app.db('hardware').where({ serial: 'SQL-1' }).delete()
  t.same(await names(), ['Renamed by SQL'], 'a delete')

  const { misses } = app.listCache.stats
  await app.db.transaction(async trx => {
    await trx('hardware').where({ id: laptop.id }).update({ name: 'Rolled back' })
    await trx.rollback()
  }).catch(() => {})
  t.same(await names(), ['Renamed by SQL'], 'a rolled-back write is not seen')
  t.equal(app.listCache.stats.misses, misses, 'and does not even cost a read')
})

t.test('workspaces, filters and pages are kept apart', async t => {
  t.same(await names(theirs), ['Their laptop'])
  t.same(await names(), ['Renamed by SQL'])
  t.same(await names(api, '/api/hardware?limit=100&status=retired'), [])
  t.same(await names(api, '/api/hardware?limit=100&status=available'), ['Renamed by SQL'])
  t.same(await names(theirs), ['Their laptop'], 'still theirs on a cached read')
})

t.test('a write still running is not in the answer, and is once committed', {
  skip: !process.env.DATABASE_URL && 'the embedded database runs one transaction at a time, so a read waits for the commit'
}, async t => {
  t.same(await names(), ['Renamed by SQL'])
  const trx = await app.db.transaction()
  await trx('hardware').where({ id: laptop.id }).update({ name: 'Committed later' })
  t.same(await names(), ['Renamed by SQL'], 'not yet committed')
  t.same(await names(), ['Renamed by SQL'], 'still not, from the cache')
  await trx.commit()
  t.same(await names(), ['Committed later'])
  await app.db('hardware').where({ id: laptop.id }).update({ name: 'Renamed by SQL' })
})

t.test('one note per writing transaction; a transaction that writes nothing notes nothing', async t => {
  const before = await writesNoted()
  await app.db.transaction(async trx => {
    await trx('hardware').where({ id: laptop.id }).update({ notes: 'one' })
    await trx('hardware').where({ id: laptop.id }).update({ notes: 'two' })
  })
  t.equal(await writesNoted(), before + 1)
  await app.db('hardware').where({ serial: 'NO-SUCH-SERIAL' }).update({ name: 'nothing' })
  t.equal(await writesNoted(), before + 1, 'an update matching no row')
})

t.test('every watched table has the trigger that notes its writes', async t => {
  for (const table of WATCHED_TABLES) {
    const found = await app.db.raw('SELECT 1 FROM pg_trigger WHERE tgrelid = ?::regclass AND tgfoid = ?::regproc', [table, 'note_table_write'])
    t.equal(found.rows.length, 1, table)
  }
  const cache = new ListCache(app.db)
  await t.rejects(cache.page('people', 'key', async () => '[]'), /no trigger notes writes to people/)
})

t.test('pages over the memory bound are dropped least recently used first; 0 keeps none', async t => {
  const cache = new ListCache(app.db, { maxBytes: 12 })
  const reads: string[] = []
  const page = (key: string) => cache.page('hardware', key, async () => { reads.push(key); return `page ${key}` })
  await page('a')
  await page('b')
  await page('a')
  await page('c')
  await page('a')
  await page('b')
  t.same(reads, ['a', 'b', 'c', 'b'], 'b, the least recently used, made room for c')

  const off = new ListCache(app.db, { maxBytes: 0 })
  let read = 0
  for (let i = 0; i < 3; i++) await off.page('hardware', 'k', async () => `read ${++read}`)
  t.equal(read, 3)
  t.same(off.stats, { hits: 0, misses: 0 }, 'no check was made')
})

// Last: pruning on this cache's made-up clock forgets writes the app's own cache may still need.
t.test('a page older than the TTL is read again; notes are pruned only when no page can need them', async t => {
  let clock = 0
  const cache = new ListCache(app.db, { ttlMs: 1000, now: () => clock })
  let reads = 0
  const page = () => cache.page('hardware', 'ttl', async () => `read ${++reads}`)
  await page()
  clock = 900
  await page()
  t.equal(reads, 1, 'within the TTL')
  clock = 1901
  await page()
  t.equal(reads, 2, 'past it')

  await app.db('hardware').where({ id: laptop.id }).update({ notes: 'to be pruned' })
  const noted = (await app.db('table_writes').max({ xid: app.db.raw('xid::text::bigint') }))[0].xid
  const kept = async () => Boolean(await app.db('table_writes').whereRaw('xid = ?::xid8', [String(noted)]).first())
  clock = 2000
  await cache.prune()
  clock = 2500
  await cache.prune()
  t.ok(await kept(), 'no moment is two TTLs old yet')
  // Pruning forgets a write once a moment after it is two TTLs old (in a shared server, once no
  // transaction of another test that began before it is still running at that moment).
  for (let i = 0; i < 50 && await kept(); i++) {
    clock += 2000
    await cache.prune()
    await sleep(20)
  }
  t.notOk(await kept(), 'pruned')
  const before = reads
  await page()
  await page()
  t.equal(reads, before + 1, 'a page read after pruning is kept')
  await app.db('hardware').where({ id: laptop.id }).update({ notes: 'after pruning' })
  await page()
  t.equal(reads, before + 2, 'and checked against the writes after it')
})
