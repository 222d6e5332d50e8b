import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { followRedirect, signIn } from './helpers/session.ts'
import type { Role } from '../core/auth/roles.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')

async function addUser (workspaceId: string, role: Role, email: string) {
  const [row] = await app.db('users').insert({ workspace_id: workspaceId, email, role }).returning('*')
  return row as { id: string }
}
const admin = await addUser(acme.id, 'it-admin', 'ivy@acme.test')
const employee = await addUser(acme.id, 'employee', 'eve@acme.test')
const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const SECRET = /stk_[0-9A-Za-z]{43}/g

t.test('an admin creates a token: the secret is shown once, then only its prefix', async t => {
  const browser = await as(admin)
  const empty = await browser.get('/settings/api')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'No API tokens yet.')
  t.match((await browser.get('/settings')).body, 'href="/settings/api"', 'linked from Settings')

  const res = await followRedirect(browser, await browser.post('/settings/api/tokens', { name: 'Inventory sync', abilities: ['hardware:read', 'hardware:write'], expires_in_days: '90' }))
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const secrets = res.body.match(SECRET) ?? []
  t.equal(secrets.length, 1, 'the secret is on the page once')
  t.match(res.body, 'Copy it now')
  t.match(res.body, '>Copy</button>')
  const secret = secrets[0]!

  const row = await app.db('api_tokens').where({ workspace_id: acme.id }).first()
  t.match(row, { name: 'Inventory sync', abilities: ['hardware:read', 'hardware:write'], created_by: admin.id })
  t.not(row.token_hash, secret, 'stored as a hash')
  t.notMatch(JSON.stringify(row), secret)
  const days = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 86_400_000
  t.ok(Math.abs(days - 90) < 0.01, 'expires in 90 days')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'api_token.created' }).first(), { actor_id: admin.id })

  const list = await browser.get('/settings/api')
  t.notMatch(list.body, secret, 'never shown again')
  t.match(list.body, `${secret.slice(0, 12)}…`, 'the prefix identifies it')
  t.match(list.body, 'Inventory sync')
  t.match(list.body, /<span class="badge">hardware:read<\/span>/)
  t.match(list.body, /Never<\/td>/, 'not used yet')
  t.match(list.body, /<td>ivy@acme\.test <span class="badge badge-role badge-role-it-admin">IT admin<\/span>\s*<\/td>/, 'who minted it')

  const used = await app.inject({ url: '/api/hardware', headers: { authorization: `Bearer ${secret}` } })
  t.equal(used.statusCode, 200, 'the token works')
  t.notMatch((await browser.get('/settings/api')).body, /<td class="nowrap">Never<\/td>\s*<td>\s*<form/, 'last used is shown')
})

t.test('no abilities means all, shown as an All badge; no expiry means never', async t => {
  const browser = await as(admin)
  const res = await followRedirect(browser, await browser.post('/settings/api/tokens', { name: 'Everything' }))
  t.equal(res.statusCode, 200)
  t.match(res.body, /<span class="badge badge-role">All<\/span>/)
  t.same((await app.db('api_tokens').where({ workspace_id: acme.id, name: 'Everything' }).first()).abilities, [])
})

t.test('invalid input comes back inline, with what was typed; nothing is created', async t => {
  const browser = await as(admin)
  const before = await app.db('api_tokens').where({ workspace_id: acme.id }).count({ n: '*' })
  const tooLong = await browser.post('/settings/api/tokens', { name: 'Long', abilities: 'users:read', expires_in_days: '400' })
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, /id="token-expiry-error">A token can last at most 365 days/)
  t.match(tooLong.body, /name="expires_in_days"[^>]*value="400"/, 'keeps what was typed')
  t.match(tooLong.body, /value="users:read" checked/)
  t.notMatch(tooLong.body, SECRET)
  const noName = await browser.post('/settings/api/tokens', { name: '  ', expires_in_days: 'soon' })
  t.equal(noName.statusCode, 422)
  t.match(noName.body, 'id="token-name-error">Give the token a name')
  t.match(noName.body, 'id="token-expiry-error">Enter a whole number of days')
  t.equal((await browser.post('/settings/api/tokens', { name: 'Bad', abilities: 'root' })).statusCode, 422)
  t.same(await app.db('api_tokens').where({ workspace_id: acme.id }).count({ n: '*' }), before)
})

t.test('revoke: the token stops working at once; only this workspace\'s tokens', async t => {
  const browser = await as(admin)
  const { token, secret } = await app.apiTokens.create(acme.id, { type: 'system', label: 't' }, { name: 'To revoke' })
  const page = await browser.get('/settings/api')
  t.match(page.body, `action="/settings/api/tokens/${token.id}/revoke"`)
  t.match(page.body, /hx-confirm="Revoke the token “To revoke”\?/)
  const res = await browser.post(`/settings/api/tokens/${token.id}/revoke`, {})
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/api')
  const after = await browser.get('/settings/api')
  t.match(after.body, 'The token “To revoke” is revoked')
  t.match(after.body, /Revoked<\/span>/)
  t.equal((await app.inject({ url: '/api/hardware', headers: { authorization: `Bearer ${secret}` } })).statusCode, 401)
  t.ok(await app.db('audit_log').where({ workspace_id: acme.id, action: 'api_token.revoked', target_id: token.id }).first())

  const theirs = await app.apiTokens.create(other.id, { type: 'system', label: 't' }, { name: 'Theirs' })
  t.equal((await browser.post(`/settings/api/tokens/${theirs.token.id}/revoke`, {})).statusCode, 404)
  t.equal((await app.db('api_tokens').where({ id: theirs.token.id }).first()).revoked_at, null)
  t.notMatch((await browser.get('/settings/api')).body, 'Theirs')
})

t.test('employees are refused', async t => {
  const browser = await as(employee)
  t.equal((await browser.get('/settings/api')).statusCode, 403)
  t.equal((await browser.post('/settings/api/tokens', { name: 'Mine' })).statusCode, 403)
  t.equal(await app.db('api_tokens').where({ workspace_id: acme.id, name: 'Mine' }).first(), undefined)
})
