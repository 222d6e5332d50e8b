// Single sign-on end to end through the real routes, with the fixture sign-in plugin and its
// loopback identity provider: the sign-in page's buttons, GET and POST callbacks, matching by
// subject then email, just-in-time people, role mapping (the last super-admin kept), refusals.
import t from 'tap'
import { systemActor } from '../core/audit/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { browser } from './helpers/session.ts'
import { enableFixtureSso, lastSignIn, signInPlugins, ssoSignIn, SSO_PLUGIN } from './helpers/sso.ts'
import { startFakeIdp } from './fixtures/sign-in-plugin/fake-idp.ts'

const idp = await startFakeIdp()
t.teardown(idp.close)
const { app, workspace } = await buildTestApp(t, {}, { plugins: await signInPlugins() })
const acme = await workspace('acme')
const HOST = 'acme.localhost'
await enableFixtureSso(app, acme.id, idp)

async function person (email: string, role = 'employee', status = 'active') {
  const [row] = await app.db('users').insert({ workspace_id: acme.id, email, role, status }).returning(['id', 'email'])
  return row as { id: string, email: string }
}
const roleOf = async (id: string) => (await app.db('users').where({ id }).first('role')).role

t.test('the sign-in page shows one button per enabled method above the password form', async t => {
  const page = await browser(app, HOST).get('/sign-in?next=%2Fhardware')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<a class="button" href="/sign-in/sso/fixture-sso/get?next&#x3D;%2Fhardware">Sign in with Fixture IdP</a>')
  t.match(page.body, '<a class="button" href="/sign-in/sso/fixture-sso/post?next&#x3D;%2Fhardware">Fixture SAML</a>')
  t.ok(page.body.indexOf('sso-methods') < page.body.indexOf('<form method="post" action="/sign-in"'), 'the buttons come first')

  const other = await workspace('plain')
  t.notMatch((await browser(app, 'plain.localhost').get('/sign-in')).body, 'sso-methods', 'a workspace without the plugin has no buttons')
  await enableFixtureSso(app, other.id, idp, {}, false)
  t.notMatch((await browser(app, 'plain.localhost').get('/sign-in')).body, 'sso-methods', 'saved but not enabled: no buttons')
  await enableFixtureSso(app, other.id, idp, { brokenMethods: true })
  const broken = await browser(app, 'plain.localhost').get('/sign-in')
  t.equal(broken.statusCode, 200, 'a plugin that throws never breaks the page')
  t.notMatch(broken.body, 'sso-methods')
  t.match(broken.body, 'name="password"')
})

t.test('GET callback: a person of the register signs in by email, is linked, and lands on the page asked for', async t => {
  const pat = await person('Pat@Acme.test')
  idp.user = { email: 'pat@acme.test', subject: 'sub-pat', groups: [] }
  const b = browser(app, HOST)
  const run = await ssoSignIn(app, b, idp, { next: '/hardware?status=in_stock' })
  t.match(String(run.start.headers.location), `${idp.url}/authorize?`)
  t.match(run.start.headers['set-cookie'], /stocktake_sso=[^;]+; Max-Age=1800; Path=\/sign-in\/sso; HttpOnly; SameSite=Lax/)
  t.equal(run.callback.statusCode, 303)
  t.equal(run.callback.headers.location, '/hardware?status=in_stock')
  t.ok(b.cookies.has('stocktake_session'))
  const home = await b.get('/')
  t.equal(home.statusCode, 200, 'signed in')
  t.match(home.body, 'Pat@Acme.test')
  t.match(await app.db('sign_in_identities').where({ workspace_id: acme.id, user_id: pat.id }).first(), { plugin_id: SSO_PLUGIN, method: 'get', subject: 'sub-pat' })
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: pat.id, details: { method: 'sso', provider: SSO_PLUGIN, idp: 'get', outcome: 'success', linked: true } })
  t.equal(await app.db('sign_in_attempts').where({ workspace_id: acme.id }).count('* as n').first().then(r => Number(r!.n)), 0, 'the attempt is gone once used')

  // Linked: the subject is matched first, even when the provider now says another address.
  idp.user = { email: 'pat.renamed@acme.test', subject: 'sub-pat', groups: [] }
  const again = await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(again.callback.statusCode, 303)
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: pat.id })
})

t.test('POST callback (SAML-like): verified, kept for a same-site GET that checks the browser, then signed in', async t => {
  const sam = await person('sam@acme.test')
  idp.user = { email: 'sam@acme.test', subject: 'sub-sam', groups: [] }
  const b = browser(app, HOST)
  const run = await ssoSignIn(app, b, idp, { method: 'post', next: '/people' })
  t.equal(run.callback.statusCode, 303)
  t.match(String(run.callback.headers.location), /^\/sign-in\/sso\/fixture-sso\/post\/continue\?token=[A-Za-z0-9_-]{43}$/)
  t.notOk(run.callback.headers['set-cookie']?.toString().includes('stocktake_session'), 'no session from the cross-site POST itself')
  t.equal(run.final.statusCode, 303)
  t.equal(run.final.headers.location, '/people')
  t.equal((await b.get('/')).statusCode, 200)
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: sam.id, details: { provider: SSO_PLUGIN, idp: 'post' } })
  const replay = await b.get(String(run.callback.headers.location))
  t.equal(replay.statusCode, 403, 'a continuation works once')
  t.match(replay.body, 'already finished or took too long')
})

t.test('just-in-time: off refuses people not in the register; on creates them with the mapped or default role', async t => {
  idp.user = { email: 'new@acme.test', subject: 'sub-new', groups: [], firstName: 'Nia', lastName: 'New' }
  const off = await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(off.callback.statusCode, 403)
  t.match(off.callback.body, 'new@acme.test is not in this workspace&#x27;s register')
  t.match(off.callback.body, 'href="/sign-in"')
  t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { reason: 'not_in_register' } })
  t.notOk(await app.db('users').where({ workspace_id: acme.id, email: 'new@acme.test' }).first())

  await enableFixtureSso(app, acme.id, idp, { createPeople: true, defaultRole: 'employee' })
  const on = await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(on.callback.statusCode, 303)
  const created = await app.db('users').where({ workspace_id: acme.id, email: 'new@acme.test' }).first()
  t.match(created, { first_name: 'Nia', last_name: 'New', role: 'employee', source: 'sso', status: 'active' })
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.created', target_id: created.id }).first(), { actor_label: 'Fixture SSO sign-in' })
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { created: true } })

  await enableFixtureSso(app, acme.id, idp, { createPeople: true, roleMappings: 'it=it-admin,staff=employee' })
  idp.user = { email: 'ivy@acme.test', subject: 'sub-ivy', groups: ['staff', 'it'] }
  await ssoSignIn(app, browser(app, HOST), idp)
  t.equal((await app.db('users').where({ workspace_id: acme.id, email: 'ivy@acme.test' }).first()).role, 'it-admin', 'created with the highest mapped role')
  await enableFixtureSso(app, acme.id, idp)
})

t.test('role mapping: highest mapped role wins, the default when none is mapped, none mapped leaves roles; the last super-admin stays', async t => {
  const rory = await person('rory@acme.test', 'employee')
  idp.user = { email: 'rory@acme.test', subject: 'sub-rory', groups: ['helpdesk', 'admins'] }
  await enableFixtureSso(app, acme.id, idp, { roleMappings: 'helpdesk=it-admin,admins=admin', defaultRole: 'employee' })
  await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(await roleOf(rory.id), 'admin')
  t.match(await lastSignIn(app, acme.id), { details: { role: { old: 'employee', new: 'admin' } } })
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', target_id: rory.id }).first(), { actor_label: 'Fixture SSO sign-in' })

  idp.user = { email: 'rory@acme.test', subject: 'sub-rory', groups: ['unmapped'] }
  await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(await roleOf(rory.id), 'employee', 'no mapped group: the default role')

  await enableFixtureSso(app, acme.id, idp, { roleMappings: '' })
  await app.db('users').where({ id: rory.id }).update({ role: 'it-admin' })
  await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(await roleOf(rory.id), 'it-admin', 'no mappings: roles are left as they are')

  const sue = await person('sue@acme.test', 'super-admin')
  await enableFixtureSso(app, acme.id, idp, { roleMappings: 'admins=admin', defaultRole: 'employee' })
  idp.user = { email: 'sue@acme.test', subject: 'sub-sue', groups: [] }
  const run = await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(run.callback.statusCode, 303, 'signed in all the same')
  t.equal(await roleOf(sue.id), 'super-admin', 'the last active super-admin is never demoted')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { role_kept: { role: 'super-admin', mapped: 'employee', reason: 'last_super_admin' } } })

  const sid = await person('sid@acme.test', 'super-admin')
  idp.user = { email: 'sid@acme.test', subject: 'sub-sid', groups: ['admins'] }
  await ssoSignIn(app, browser(app, HOST), idp)
  t.equal(await roleOf(sid.id), 'admin', 'with another super-admin left, the mapping applies')
  await enableFixtureSso(app, acme.id, idp)
})

t.test('subject mismatch: a person linked to one account of the provider cannot be taken by another', async t => {
  const max = await person('max@acme.test')
  idp.user = { email: 'max@acme.test', subject: 'sub-max', groups: [] }
  await ssoSignIn(app, browser(app, HOST), idp)
  idp.user = { email: 'MAX@acme.test', subject: 'sub-impostor', groups: [] }
  const b = browser(app, HOST)
  const run = await ssoSignIn(app, b, idp)
  t.equal(run.callback.statusCode, 403)
  t.match(run.callback.body, 'already linked to another account of this identity provider')
  t.notOk(b.cookies.has('stocktake_session'))
  t.match(await lastSignIn(app, acme.id), { outcome: 'denied', target_id: max.id, details: { reason: 'subject_mismatch' } })
})

t.test('inactive and offboarded people are refused with a page that says so', async t => {
  for (const status of ['inactive', 'offboarded']) {
    await person(`${status}@acme.test`, 'employee', status)
    idp.user = { email: `${status}@acme.test`, subject: `sub-${status}`, groups: [] }
    const b = browser(app, HOST)
    const run = await ssoSignIn(app, b, idp, { method: 'post' })
    t.equal(run.final.statusCode, 403)
    t.match(run.final.body, status === 'inactive' ? 'is marked inactive' : 'has been offboarded')
    t.notOk(b.cookies.has('stocktake_session'))
    t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { reason: status } })
  }
})

t.test('a plugin that throws in finish, or refuses, gives a page with its reason; never a 500', async t => {
  idp.user = { email: 'pat@acme.test', subject: 'sub-pat', groups: [] }
  const b = browser(app, HOST)
  const start = await b.get(`/sign-in/sso/${SSO_PLUGIN}/get`)
  const state = new URL(String(start.headers.location)).searchParams.get('state')!
  const crashed = await b.get(`/sign-in/sso/${SSO_PLUGIN}/get/callback?state=${state}&crash=1`)
  t.equal(crashed.statusCode, 502)
  t.match(crashed.body, 'could not check the answer')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'provider_error' } })

  const refused = await ssoSignIn(app, browser(app, HOST), idp, { overrides: { audience: 'http://elsewhere.example/callback' } })
  t.equal(refused.callback.statusCode, 403)
  t.match(refused.callback.body, 'The answer was meant for another service.')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'wrong_audience', provider: SSO_PLUGIN, idp: 'get' } })

  for (const [idpUrl, words, reason] of [['http://idp.example', 'not https', 'provider_error'], ['not an address', 'could not start the sign-in', 'provider_error']]) {
    const other = await workspace(`bad-${words.length}`)
    await app.integrations.settings.save(other.id, systemActor, app.integrations.plugin(SSO_PLUGIN)!, { idpUrl, signingKey: idp.key }, { enabled: true })
    const start = await browser(app, `${other.slug}.localhost`).get(`/sign-in/sso/${SSO_PLUGIN}/get`)
    t.equal(start.statusCode, 502, idpUrl)
    t.match(start.body, words)
    t.match(await lastSignIn(app, other.id), { outcome: 'failure', details: { reason } })
    t.equal(Number((await app.db('sign_in_attempts').where({ workspace_id: other.id }).count('* as n').first())!.n), 0, 'no attempt kept')
  }

  for (const overrides of [{ subject: 'sub\u0000pat' }, { email: 'not-an-address' }, { groups: ['ok', 'bad\u0000'] }]) {
    const run = await ssoSignIn(app, browser(app, HOST), idp, { overrides })
    t.equal(run.callback.statusCode, 502, JSON.stringify(overrides))
    t.match(run.callback.body, 'so Stocktake cannot tell who you are')
    t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'invalid_identity' } })
  }

  const unknown = await browser(app, HOST).get('/sign-in/sso/nope/get')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.body, 'not set up in this workspace')
})
