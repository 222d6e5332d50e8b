import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { IMPORTERS } from '../core/register/importers/index.ts'
import type { PersonRecord } from '../core/sdk.ts'

// An HRIS sync follows the source of record for people's status, except that it never takes out
// the workspace's last active super-admin: that one stays active, with a per-record error saying why.

const { app, workspace } = await buildTestApp(t)
const personImporter = IMPORTERS.person
const source = { pluginId: 'bamboohr', name: 'BambooHR' }
const statusOf = async (ws: string, email: string) => (await app.db('users').where({ workspace_id: ws, email }).first()).status

async function people (slug: string, rows: Array<[email: string, role: string]>) {
  const ws = (await workspace(slug)).id
  await app.db('users').insert(rows.map(([email, role]) => ({ workspace_id: ws, email, role, source: 'bamboohr', source_ids: JSON.stringify({ bamboohr: email }) })))
  return ws
}
const record = (email: string, status: PersonRecord['status']): PersonRecord => ({ externalId: email, email, status })

t.test('a sync offboarding the only super-admin keeps them active and says so; others follow the source', async t => {
  const ws = await people('acme', [['boss@acme.test', 'super-admin'], ['amy@acme.test', 'employee']])
  const { result } = await app.db.transaction(trx => personImporter.upsert(trx, ws, source, [record('boss@acme.test', 'offboarded'), record('amy@acme.test', 'offboarded')]))
  t.equal(await statusOf(ws, 'boss@acme.test'), 'active')
  t.equal(await statusOf(ws, 'amy@acme.test'), 'offboarded')
  t.match(result.errors, [{ externalId: 'boss@acme.test', reason: /boss@acme\.test stays active: the last active super-admin of the workspace cannot become offboarded/ }])
  t.equal(result.updated, 1)
})

t.test('with two super-admins leaving and no other, one of them stays', async t => {
  const ws = await people('initech', [['one@initech.test', 'super-admin'], ['two@initech.test', 'super-admin']])
  const { result } = await app.db.transaction(trx => personImporter.upsert(trx, ws, source, [record('one@initech.test', 'inactive'), record('two@initech.test', 'inactive')]))
  const statuses = [await statusOf(ws, 'one@initech.test'), await statusOf(ws, 'two@initech.test')].sort()
  t.same(statuses, ['active', 'inactive'])
  t.equal(result.errors.length, 1)
})

t.test('another active super-admin outside the sync: the source is followed', async t => {
  const ws = await people('globex', [['boss@globex.test', 'super-admin'], ['backup@globex.test', 'super-admin']])
  await app.db('users').where({ workspace_id: ws, email: 'backup@globex.test' }).update({ source_ids: '{}' })
  const { result } = await app.db.transaction(trx => personImporter.upsert(trx, ws, source, [record('boss@globex.test', 'offboarded')]))
  t.equal(await statusOf(ws, 'boss@globex.test'), 'offboarded')
  t.same(result.errors, [])
})

t.test('people gone from the source are marked inactive, except the last active super-admin', async t => {
  const ws = await people('hooli', [['boss@hooli.test', 'super-admin'], ['amy@hooli.test', 'employee']])
  const { result } = await app.db.transaction(trx => personImporter.remove(trx, ws, source, ['boss@hooli.test', 'amy@hooli.test']))
  t.equal(result, 1)
  t.equal(await statusOf(ws, 'boss@hooli.test'), 'active')
  t.equal(await statusOf(ws, 'amy@hooli.test'), 'inactive')
})
