import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { migratePlugin } from '../core/db/index.ts'
import { directoryTransaction } from '../core/integrations/directory.ts'
import { NotFoundError, ValidationError } from '../core/sdk.ts'

// A plugin's database handles reach its own tables only (its schema plugin_<id>): a plugin query
// naming a core table fails loudly, inside a directory transaction too, while the register's
// writes in that transaction still reach the core's tables.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const [owner] = await app.db('users').insert({ workspace_id: acme.id, email: 'sam@acme.test', role: 'super-admin' }).returning(['id', 'email'])
const actor = { type: 'user' as const, id: owner.id, label: owner.email }
const missing = (relation: string) => ({ code: '42P01', message: new RegExp(`relation "${relation}" does not exist`) })

t.test("the plugin's handle reads its own tables and no core table", async t => {
  const scim = app.pluginDb('scim')
  t.same(await scim('scim_users').where({ workspace_id: acme.id }).select('id'), [], 'its own table, unqualified')
  await t.rejects(scim('users').where({ workspace_id: acme.id }).select('id'), missing('users'))
  await t.rejects(scim.raw('SELECT count(*) FROM hardware'), missing('hardware'))
  await t.rejects(scim.transaction(async trx => await trx('workspaces').select('id')), missing('workspaces'))
  t.throws(() => scim.schema, /no schema: its tables come from its migrations/)
  t.equal((await app.db('users').where({ workspace_id: acme.id, id: owner.id }).first()).email, owner.email, 'the core still reads its own tables')
  t.notMatch((await app.db.raw('SHOW search_path')).rows[0].search_path, /plugin_/, 'nothing leaks into the session')
})

t.test('in a directory transaction the plugin sees its schema, the register its own, and a refusal changes nothing', async t => {
  await directoryTransaction(app, 'scim', acme.id, actor, async tx => {
    await t.rejects(tx.db.raw('SELECT 1 FROM users LIMIT 1'), missing('users'), 'a core table named by the plugin does not exist')
  })

  const people = await directoryTransaction(app, 'scim', acme.id, actor, async tx => {
    const before = await tx.db('scim_users').where({ workspace_id: acme.id }).count({ n: '*' })
    const found = await tx.people.getMany([owner.id, '00000000-0000-4000-8000-000000000000'])
    // a refusal the plugin catches leaves the search path on the plugin's schema
    await t.rejects(tx.people.get('00000000-0000-4000-8000-000000000000'), NotFoundError)
    const after = await tx.db('scim_users').where({ workspace_id: acme.id }).count({ n: '*' })
    const coreTable = await tx.db.raw("SELECT to_regclass('users') AS found")
    return { before: Number(before[0].n), after: Number(after[0].n), found: found.map(p => p.email), coreTable: coreTable.rows[0].found }
  })
  t.same(people, { before: 0, after: 0, found: [owner.email], coreTable: null })

  const refused = await directoryTransaction(app, 'scim', acme.id, actor, async tx => {
    await tx.people.changeRole(owner.id, 'employee').catch(err => { if (!(err instanceof ValidationError)) throw err })
    return (await tx.db.raw("SELECT to_regclass('users') AS found")).rows[0].found
  }, { mayChangeRoles: false })
  t.equal(refused, null, 'after a refused role change the plugin is still confined')
})

t.test("a plugin's migrations create its tables in its schema; an upgrade moves its old tables there once", async t => {
  t.equal((await app.db.raw("SELECT to_regclass('public.scim_users') AS found")).rows[0].found, null, 'no SCIM table in public')
  t.equal((await app.db.raw("SELECT to_regclass('plugin_scim.scim_users') AS found")).rows[0].found, 'plugin_scim.scim_users')

  // a plugin installed before plugins had schemas: its table in public, its history recorded
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-confine-'))
  t.teardown(async () => await fs.rm(dir, { recursive: true, force: true }))
  await fs.mkdir(path.join(dir, 'migrations'))
  await fs.writeFile(path.join(dir, 'migrations', '001_things.ts'), `
export async function up (knex) { await knex.raw('CREATE TABLE confine_demo_things (workspace_id uuid NOT NULL REFERENCES workspaces(id), label text NOT NULL)') }
export async function down (knex) { await knex.raw('DROP TABLE confine_demo_things') }
`)
  const plugin = { id: 'confine-demo', dir }
  await app.db.raw('CREATE TABLE public.confine_demo_things (workspace_id uuid NOT NULL REFERENCES workspaces(id), label text NOT NULL)')
  await app.db.raw('CREATE TABLE public.plugin_migrations_confine_demo (id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz)')
  await app.db('plugin_migrations_confine_demo').insert({ name: '001_things.ts', batch: 1, migration_time: new Date() })
  await app.db('confine_demo_things').insert({ workspace_id: acme.id, label: 'kept' })

  t.same(await migratePlugin(app.db, plugin), [], 'nothing to run: the history is kept')
  t.same(await app.pluginDb('confine-demo')('confine_demo_things').select('label'), [{ label: 'kept' }], 'the old rows are in the schema')
  t.equal((await app.db.raw("SELECT to_regclass('public.confine_demo_things') AS found")).rows[0].found, null)

  await fs.writeFile(path.join(dir, 'migrations', '002_more.ts'), `
export async function up (knex) { await knex.raw('CREATE TABLE confine_demo_more (workspace_id uuid NOT NULL REFERENCES workspaces(id))') }
export async function down (knex) { await knex.raw('DROP TABLE confine_demo_more') }
`)
  t.same(await migratePlugin(app.db, plugin), ['confine-demo/002_more.ts'])
  t.equal((await app.db.raw("SELECT to_regclass('plugin_confine_demo.confine_demo_more') AS found")).rows[0].found, 'plugin_confine_demo.confine_demo_more', 'a new table lands in the schema, its foreign key on a core table allowed')
})
