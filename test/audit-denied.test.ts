// Denied attempts are audited, as the audit page promises: a page or action a role may not use and
// an API request a token lacks the ability for (403), recorded by the permission checks themselves,
// one entry per actor and route a minute (a refused client in a loop does not flood the log).
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient } from './helpers/api.ts'
import { signIn } from './helpers/session.ts'
import { DeniedAttempts } from '../core/audit/index.ts'
import { until } from './helpers/wait.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
const [employee] = await app.db('users').insert({ workspace_id: acme.id, email: 'eve@acme.test', role: 'employee' }).returning('*')
const denied = async () => await app.db('audit_log').where({ workspace_id: acme.id, action: 'access.denied' }).orderBy('id')

t.test('a page and an action a role may not use: one entry per route, repeats held back', async t => {
  const eve = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: employee.id })
  for (let i = 0; i < 5; i++) t.equal((await eve.get('/bulk-import')).statusCode, 403)
  t.equal((await eve.post('/settings/integrations/jamf/test', {})).statusCode, 403)
  const rows = await denied()
  t.equal(rows.length, 2, 'five refusals of one page in a minute are one entry; the action is another')
  t.match(rows[0], { actor_type: 'user', actor_id: employee.id, actor_label: 'eve@acme.test', outcome: 'denied' })
  t.match(rows[0], { target_type: 'route', target_id: 'GET /bulk-import', target_label: '/bulk-import' })
  t.match(rows[0].details, { method: 'GET', path: '/bulk-import', reason: 'role', needed: ['super-admin', 'admin', 'it-admin'] })
  t.match(rows[1], { target_id: 'POST /settings/integrations/:id/test', target_label: '/settings/integrations/jamf/test' })

  const adam = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
  const page = await adam.get('/audit')
  t.match(page.body, '<code>access.denied</code>', 'shown on the audit page')
  t.match(page.body, '<span class="badge badge-denied">denied</span>')
})

t.test('an API token without the ability a route needs', async t => {
  const reader = await apiClient(app, acme.id, ['users:read'])
  const before = (await denied()).length
  for (let i = 0; i < 3; i++) t.equal((await reader.call('GET', '/api/hardware')).statusCode, 403)
  const rows = (await denied()).slice(before)
  t.equal(rows.length, 1)
  t.match(rows[0], { actor_type: 'token', actor_id: reader.tokenId, target_id: 'GET /api/hardware', details: { reason: 'ability', needed: ['hardware:read'] } })
  t.equal((await reader.call('GET', '/api/users')).statusCode, 200)
  t.equal((await denied()).length, before + 1, 'an allowed request is not audited as denied')
})

t.test('after the window, the next entry counts the attempts held back', async t => {
  const attempts = new DeniedAttempts(app.db, 200)
  const actor = { type: 'user' as const, id: employee.id, label: 'eve@acme.test' }
  const attempt = { method: 'GET', route: '/people', path: '/people', reason: 'role' as const, needed: ['admin'] }
  for (let i = 0; i < 4; i++) await attempts.record(acme.id, actor, attempt)
  const first = await until(async () => (await denied()).filter(r => r.target_id === 'GET /people'))
  t.equal(first.length, 1)
  // The window is 200 ms: keep trying until an attempt is recorded again.
  await until(async () => { await attempts.record(acme.id, actor, attempt); return (await denied()).filter(r => r.target_id === 'GET /people').length === 2 }, 5000)
  const rows = (await denied()).filter(r => r.target_id === 'GET /people')
  t.ok(rows[1].details.repeated >= 3, `the second entry says how many were held back (${rows[1].details.repeated})`)
})
