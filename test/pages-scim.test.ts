import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { followRedirect } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'

// Settings → SCIM, as an admin without JavaScript uses it. No plugins: the page is the core's,
// whether or not the SCIM plugin (which serves /scim/v2) is installed.

const BASE_URL = 'https://stocktake.example.test'
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_BASE_URL: BASE_URL }, { plugins: [] })
const acme = await workspace('acme')
const other = await workspace('other')

const { add, as } = members(app, acme)
const owner = await add('super-admin', 'sam@acme.test')
const admin = await add('admin', 'ada@acme.test')
const itAdmin = await add('it-admin', 'ivy@acme.test')
const employee = await add('employee', 'eve@acme.test')
const SECRET = /stk_scim_[0-9A-Za-z]{43}/g
const scimTokenCount = async () => Number((await app.db('api_tokens').where({ workspace_id: acme.id, kind: 'scim' }).count({ n: '*' }))[0].n)

t.test('a super admin sees the tenant URL, what to enter in Okta and Entra ID, and no tokens yet', async t => {
  const browser = await as(owner)
  const res = await browser.get('/settings/scim')
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h1>SCIM provisioning</h1>')
  t.match(res.body, 'creates, updates and deactivates people and groups in Stocktake')
  t.match(res.body, '<label for="tenant-url">Tenant URL</label>', 'a visible label')
  t.match(res.body, `<input id="tenant-url" value="${BASE_URL}/scim/v2" readonly`, 'the configured base URL, then /scim/v2')
  t.match(res.body, 'aria-describedby="tenant-url-hint"')
  t.match(res.body, '<button type="button" class="button" data-copy="tenant-url">Copy</button>', 'copied as the API page copies a secret')
  t.match(res.body, /<dt>Okta<\/dt>\s*<dd>Provisioning → Integration: the tenant URL as <strong>SCIM connector base URL<\/strong>, <strong>Authentication mode: HTTP Header<\/strong>/)
  t.match(res.body, /<dt>Microsoft Entra ID<\/dt>\s*<dd>Provisioning → Admin Credentials: the tenant URL as <strong>Tenant URL<\/strong>, and a SCIM token as <strong>Secret Token<\/strong>/)
  t.match(res.body, '<label for="scim-token-name">Name</label>')
  t.match(res.body, 'No SCIM tokens yet.')
  t.notMatch(res.body, 'Provisioning log', 'comes with the SCIM plugin')
  t.notMatch(res.body, /role mappings/i, 'comes with the SCIM plugin')
  t.notMatch(res.body, SECRET)
  t.match((await browser.get('/settings')).body, 'href="/settings/scim"', 'linked from Settings')
  t.equal((await (await as(itAdmin)).get('/settings/scim')).statusCode, 200, 'every admin role sees the page')

  const anonymous = await app.inject({ url: '/settings/scim', headers: { host: 'acme.localhost' } })
  t.equal(anonymous.statusCode, 303)
  t.match(anonymous.headers.location, '/sign-in?next=%2Fsettings%2Fscim')
})

t.test('create: the secret is shown once, then only its prefix; it opens SCIM and nothing else', async t => {
  const browser = await as(owner)
  const res = await followRedirect(browser, await browser.post('/settings/scim/tokens', { name: 'Okta' }))
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const secrets = res.body.match(SECRET) ?? []
  t.equal(secrets.length, 1, 'the secret is on the page once')
  const secret = secrets[0]!
  t.match(res.body, 'Token “Okta” created')
  t.match(res.body, 'Copy it now')
  t.match(res.body, `<input id="new-token" value="${secret}" readonly`)
  t.match(res.body, '<button type="button" class="button" data-copy="new-token">Copy</button>')
  t.match(res.body, '<label class="visually-hidden" for="new-token">The new SCIM token</label>')

  const row = await app.db('api_tokens').where({ workspace_id: acme.id, kind: 'scim' }).first()
  t.match(row, { name: 'Okta', abilities: [], expires_at: null, revoked_at: null, created_by: owner.id, token_prefix: secret.slice(0, 17) })
  t.notMatch(JSON.stringify(row), secret, 'stored as a hash')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'scim_token.created', target_id: row.id }).first(), { actor_id: owner.id, actor_label: 'sam@acme.test' })

  const again = await browser.get('/settings/scim')
  t.equal(again.statusCode, 200)
  t.equal(again.headers['cache-control'], undefined)
  t.notMatch(again.body, secret, 'never shown again')
  t.notMatch(again.body, 'Copy it now')
  t.match(again.body, /<td>Okta<\/td>\s*<td><code class="muted">stk_scim_[0-9A-Za-z]{8}…<\/code><\/td>/, 'the prefix identifies it')
  t.match(again.body, `${secret.slice(0, 17)}…`)
  t.match(again.body, /<td class="nowrap">Never<\/td>/, 'not used yet')
  t.match(again.body, '<span class="badge badge-success">Active</span>')

  const found = await app.scimTokens.authenticate(`Bearer ${secret}`)
  t.match(found, { ok: true, token: { id: row.id, workspace_id: acme.id, name: 'Okta' } }, 'the token authenticates SCIM, for its workspace')
  t.match(await app.apiTokens.authenticate(`Bearer ${secret}`), { ok: false }, 'not an API token')
  const api = await app.inject({ url: '/api/hardware', headers: { authorization: `Bearer ${secret}` } })
  t.equal(api.statusCode, 401, 'a SCIM token does not open the REST API')

  const { secret: apiSecret } = await app.apiTokens.create(acme.id, systemActor, { name: 'Inventory sync' })
  t.match(await app.scimTokens.authenticate(`Bearer ${apiSecret}`), { ok: false }, 'an API token does not open SCIM')
  const scimPage = (await browser.get('/settings/scim')).body
  t.notMatch(scimPage, 'Inventory sync', 'API tokens are not listed here')
  t.notMatch((await browser.get('/settings/api')).body, '<td>Okta', 'nor SCIM tokens on the API page')

  if (found.ok) await app.scimTokens.touch(found.token)
  const used = (await browser.get('/settings/scim')).body
  t.notMatch(used, /<td class="nowrap">Never<\/td>/, 'last used is shown once used')
  t.match(used, /<td class="nowrap">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>\s*<td><span class="badge badge-success">Active/)
})

t.test('a refused name comes back inline with what was typed (422); nothing is stored', async t => {
  const browser = await as(owner)
  const before = await scimTokenCount()

  const empty = await browser.post('/settings/scim/tokens', { name: '   ' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, 'The token was not created.')
  t.match(empty.body, '<p class="field-error" id="scim-token-name-error">Give the token a name, such as the identity provider that will use it.</p>')
  t.match(empty.body, /<input id="scim-token-name" name="name" value=""[^>]* aria-describedby="scim-token-name-hint scim-token-name-error" aria-invalid="true">/)
  t.notMatch(empty.body, SECRET)
  t.not(empty.headers['cache-control'], 'no-store')

  const long = 'x'.repeat(101)
  const tooLong = await browser.post('/settings/scim/tokens', { name: long })
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, 'id="scim-token-name-error">Use at most 100 characters.</p>')
  t.match(tooLong.body, `name="name" value="${long}"`, 'keeps what was typed')
  t.notMatch(tooLong.body, SECRET)

  t.equal(await scimTokenCount(), before, 'nothing stored')
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, action: 'scim_token.created' }).where({ target_label: long }).first(), undefined)

  t.equal((await browser.post('/settings/scim/tokens', { name: 'x'.repeat(100) })).statusCode, 303, '100 characters are enough')
})

t.test('revoke: refused from then on, audited, listed as revoked', async t => {
  const browser = await as(owner)
  const { token, secret } = await app.scimTokens.create(acme.id, systemActor, { name: 'Entra ID' })
  const page = await browser.get('/settings/scim')
  t.match(page.body, `action="/settings/scim/tokens/${token.id}/revoke"`)
  t.match(page.body, /hx-confirm="Revoke the token “Entra ID”\?/)

  const withoutCsrf = await browser.post(`/settings/scim/tokens/${token.id}/revoke`, {}, { csrf: false })
  t.equal(withoutCsrf.statusCode, 403, 'CSRF-protected as every form')
  t.equal((await app.db('api_tokens').where({ id: token.id }).first()).revoked_at, null)

  const res = await browser.post(`/settings/scim/tokens/${token.id}/revoke`, {})
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/scim')
  const after = (await browser.get('/settings/scim')).body
  t.match(after, 'The token “Entra ID” is revoked')
  t.match(after, /<td>Entra ID<\/td>(?:(?!<\/tr>)[\s\S])*<span class="badge badge-denied">Revoked<\/span>/, 'still listed, marked revoked')
  t.notMatch(after, `action="/settings/scim/tokens/${token.id}/revoke"`, 'nothing left to revoke')
  t.match(await app.scimTokens.authenticate(`Bearer ${secret}`), { ok: false, reason: 'revoked' })
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'scim_token.revoked', target_id: token.id }).first(), { actor_id: owner.id })

  const htmx = await browser.post(`/settings/scim/tokens/${token.id}/revoke`, {}, { headers: { 'hx-request': 'true' } })
  t.equal(htmx.statusCode, 204, 'htmx is sent back to the page')
  t.equal(htmx.headers['hx-redirect'], '/settings/scim')
  t.equal(await app.db('audit_log').where({ action: 'scim_token.revoked', target_id: token.id }).count({ n: '*' }).then(r => Number(r[0].n)), 1, 'revoking again changes nothing')
})

t.test('only this workspace\'s SCIM tokens: any other id is a 404', async t => {
  const browser = await as(owner)
  const theirs = await app.scimTokens.create(other.id, systemActor, { name: 'Their Okta' })
  const denied = await browser.post(`/settings/scim/tokens/${theirs.token.id}/revoke`, {})
  t.equal(denied.statusCode, 404)
  t.equal((await app.db('api_tokens').where({ id: theirs.token.id }).first()).revoked_at, null)
  t.ok((await app.scimTokens.authenticate(`Bearer ${theirs.secret}`)).ok, 'theirs still works')
  t.notMatch((await browser.get('/settings/scim')).body, 'Their Okta')

  const apiToken = await app.apiTokens.create(acme.id, systemActor, { name: 'Not SCIM' })
  t.equal((await browser.post(`/settings/scim/tokens/${apiToken.token.id}/revoke`, {})).statusCode, 404, 'an API token is not revoked here')
  t.equal((await app.db('api_tokens').where({ id: apiToken.token.id }).first()).revoked_at, null)
  t.equal((await browser.post('/settings/scim/tokens/not-an-id/revoke', {})).statusCode, 404)
})

t.test('other roles get what /settings/api gives them', async t => {
  const browser = await as(employee)
  const { token } = await app.scimTokens.create(acme.id, systemActor, { name: 'Kept' })
  const api = await browser.get('/settings/api')
  const page = await browser.get('/settings/scim')
  t.equal(page.statusCode, api.statusCode)
  t.equal(page.statusCode, 403)
  t.match(page.body, 'This page needs one of these roles')
  t.equal((await browser.post('/settings/scim/tokens', { name: 'Mine' })).statusCode, (await browser.post('/settings/api/tokens', { name: 'Mine' })).statusCode)
  t.equal((await browser.post(`/settings/scim/tokens/${token.id}/revoke`, {})).statusCode, 403)
  t.equal(await app.db('api_tokens').where({ workspace_id: acme.id, name: 'Mine' }).first(), undefined, 'nothing created')
  t.equal((await app.db('api_tokens').where({ id: token.id }).first()).revoked_at, null, 'nothing revoked')
})

t.test('SCIM tokens are a super admin\'s: an admin sees the tenant URL but cannot mint, list or revoke one', async t => {
  // A SCIM token can put anyone in a group that a super admin mapped to Super admin: minting one
  // would let an admin make themself super admin.
  const browser = await as(admin)
  const { token, secret } = await app.scimTokens.create(acme.id, systemActor, { name: 'Kept by the operator' })
  const before = await scimTokenCount()

  const page = await browser.get('/settings/scim')
  t.equal(page.statusCode, 200)
  t.match(page.body, `<input id="tenant-url" value="${BASE_URL}/scim/v2" readonly`, 'the tenant URL, as before')
  t.match(page.body, 'Only a super admin creates, lists and revokes SCIM tokens')
  t.notMatch(page.body, 'Kept by the operator', 'no token list')
  t.notMatch(page.body, 'action="/settings/scim/tokens"', 'no form to create one')
  t.notMatch(page.body, '/revoke"', 'nothing to revoke')

  const minted = await browser.post('/settings/scim/tokens', { name: 'Mine' })
  t.equal(minted.statusCode, 403)
  t.match(minted.body, 'This action needs the Super admin role.')
  t.notMatch(minted.body, SECRET)
  const revoked = await browser.post(`/settings/scim/tokens/${token.id}/revoke`, {})
  t.equal(revoked.statusCode, 403)
  t.equal(await scimTokenCount(), before, 'nothing created')
  t.equal((await app.db('api_tokens').where({ id: token.id }).first()).revoked_at, null, 'nothing revoked')
  t.ok((await app.scimTokens.authenticate(`Bearer ${secret}`)).ok)
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, actor_id: admin.id }).whereLike('action', 'scim_token.%').first(), undefined)

  for (const role of ['it-admin', 'employee'] as const) {
    const other = await as(await add(role, `${role}-${Date.now()}@acme.test`))
    t.equal((await other.post('/settings/scim/tokens', { name: 'Mine' })).statusCode, 403, `${role}: 403`)
  }
  t.equal(await scimTokenCount(), before)
})

t.test('tokens an admin minted before keep working, and the list says who minted each', async t => {
  const adminActor = { type: 'user' as const, id: admin.id, label: admin.email, requestId: null }
  const byAdmin = await app.scimTokens.create(acme.id, adminActor, { name: 'From an admin' })
  await app.db('users').where({ id: admin.id }).update({ first_name: 'Ada', last_name: 'Admin' })
  const byCli = await app.scimTokens.create(acme.id, { ...systemActor, label: 'stocktake CLI' }, { name: 'From the CLI' })
  t.ok((await app.scimTokens.authenticate(`Bearer ${byAdmin.secret}`)).ok, 'an admin-minted token still opens SCIM')

  const page = (await (await as(owner)).get('/settings/scim')).body
  const rowOf = (name: string) => new RegExp(`<td>${name}</td>(?:(?!</tr>)[\\s\\S])*</tr>`).exec(page)?.[0] ?? ''
  t.match(rowOf('From an admin'), /Ada Admin[\s\S]*ada@acme\.test[\s\S]*<span class="badge badge-role badge-role-admin">Admin<\/span>/, 'the admin by name, email and role')
  t.match(rowOf('From the CLI'), 'stocktake CLI')
  t.match(rowOf('From an admin'), `action="/settings/scim/tokens/${byAdmin.token.id}/revoke"`, 'a super admin can revoke it')
  t.match(page, '<th scope="col">Created by</th>')
  t.ok(byCli.token.created_by === null)
})
