// Google Workspace SSO and Microsoft Entra ID end to end through the core's sign-in routes
// (core/auth/sso/routes.ts) and the real plugins, with oidc-provider as Google and as Entra on
// loopback (test/helpers/oidc-peer.ts): the start route's redirect is followed at the peer, its
// answer brought back to the callback, and every refusal ends on the refusal page with an
// `auth.sign_in` audit entry carrying the plugin's reason.
import t, { type Test } from 'tap'
import type { LightMyRequestResponse as InjectResponse } from 'fastify'
import { loadConfig, workspaceUrl } from '../core/config.ts'
import { systemActor } from '../core/audit/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { browser, type TestSession } from './helpers/session.ts'
import { lastSignIn } from './helpers/sso.ts'
import { playBrowser, routeVendors, startEntraPeer, startGooglePeer, type OidcPeer } from './helpers/oidc-peer.ts'

const origin = workspaceUrl(loadConfig({ LOG_LEVEL: 'silent', STOCKTAKE_DATA_DIR: '/nonexistent' }), 'acme')
const host = new URL(origin).host
const VENDORS = {
  google: { pluginId: 'google-sso', method: 'google' },
  entra: { pluginId: 'entra-sso', method: 'microsoft' }
} as const
type Vendor = keyof typeof VENDORS
const callbackOf = (vendor: Vendor) => `${origin}/sign-in/sso/${VENDORS[vendor].pluginId}/${VENDORS[vendor].method}/callback`

const ADMINS_GROUP = '5c1b3a9e-0d2f-4e6a-9b8c-7d6e5f4a3b2c'
const STAFF_GROUP = '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d'

interface Run { params: Record<string, string>, back: InjectResponse }

t.test('Google and Entra through the core routes', async t => {
  const google = await startGooglePeer(callbackOf('google'))
  t.teardown(google.peer.close)
  const entra = await startEntraPeer(callbackOf('entra'))
  t.teardown(entra.peer.close)
  const peers: Record<Vendor, OidcPeer> = { google: google.peer, entra: entra.peer }
  const { app, workspace } = await buildTestApp(t, {}, { httpDispatcher: routeVendors(google.peer, entra.peer) })
  const acme = await workspace('acme')
  const [home, other] = entra.tenants

  async function configure (vendor: Vendor, settings: Record<string, unknown>): Promise<void> {
    const saved = await app.integrations.settings.save(acme.id, systemActor, app.integrations.plugin(VENDORS[vendor].pluginId)!, settings, { enabled: true })
    if (!saved.ok) throw new Error(`settings refused: ${JSON.stringify(saved.errors)}`)
  }

  /** A fresh browser: start (asking for `next`), the peer's authorization, the callback. */
  async function signIn (vendor: Vendor, next = '/hardware', b: TestSession = browser(app, host)): Promise<Run & { b: TestSession }> {
    const { pluginId, method } = VENDORS[vendor]
    const start = await b.get(`/sign-in/sso/${pluginId}/${method}?next=${encodeURIComponent(next)}`)
    if (start.statusCode !== 303) throw new Error(`start answered ${start.statusCode}: ${start.body.slice(0, 300)}`)
    const params = await playBrowser(peers[vendor], String(start.headers.location), callbackOf(vendor))
    const back = await b.get(`/sign-in/sso/${pluginId}/${method}/callback?${new URLSearchParams(params).toString()}`)
    return { b, params, back }
  }

  /** The refusal page says `words`, and the audit log has the refusal with `reason`. */
  async function refused (t: Test, vendor: Vendor, back: InjectResponse, reason: string, words: string | RegExp, outcome = 'failure'): Promise<void> {
    t.equal(back.statusCode, 403, 'the refusal page')
    t.match(back.body, 'Not signed in')
    t.match(back.body, words)
    t.notOk(back.cookies.some((c: { name: string }) => c.name === 'stocktake_session'), 'no session')
    t.match(await lastSignIn(app, acme.id), { outcome, details: { method: 'sso', provider: VENDORS[vendor].pluginId, idp: VENDORS[vendor].method, outcome, reason } })
  }

  await configure('google', google.settings)
  await configure('entra', { ...entra.settings, roleMappings: `# Entra groups\n${ADMINS_GROUP} = admin\n` })

  t.test('the sign-in page offers both', async t => {
    const page = await browser(app, host).get('/sign-in')
    t.match(page.body, 'Sign in with Google')
    t.match(page.body, 'Sign in with Microsoft')
  })

  t.test('Google: a Workspace person is created just in time and lands on the page asked for', async t => {
    const { b, params, back } = await signIn('google', '/hardware?status=in_use')
    t.equal(back.statusCode, 303, back.body.slice(0, 300))
    t.equal(back.headers.location, '/hardware?status=in_use')
    t.equal(params.iss, 'https://accounts.google.com', 'Google sends iss on the authorization response (checked)')
    const hardware = await b.get('/hardware')
    t.equal(hardware.statusCode, 200, 'signed in')
    const pat = await app.db('users').where({ workspace_id: acme.id, email: 'pat@example.com' }).first()
    t.match(pat, { first_name: 'Pat', last_name: 'Doe', role: 'employee', status: 'active' })
    t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: pat.id, details: { provider: 'google-sso', idp: 'google', created: true, linked: true } })

    // The same answer brought back again: the attempt it belonged to is used up.
    const again = await b.get(`/sign-in/sso/google-sso/google/callback?${new URLSearchParams(params).toString()}`)
    await refused(t, 'google', again, 'unsolicited', 'Google sent a sign-in this browser did not start')

    // Signed in again later: the link to Google's subject is used, nobody is created.
    const later = await signIn('google')
    t.equal(later.back.statusCode, 303)
    t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: pat.id, details: { provider: 'google-sso' } })
    t.notOk((await lastSignIn(app, acme.id)).details.created)
    t.equal(google.peer.grants.filter(g => g === 'ok').length, 2, 'each code was redeemed once')
  })

  t.test('Google refuses what its claims do not allow', async t => {
    const person = google.peer.person
    t.teardown(() => { google.peer.person = person })
    const as = (claims: Record<string, unknown>) => { google.peer.person = { sub: `sub-${Object.keys(claims).join('-')}`, claims: { ...person.claims, ...claims } } }

    as({ hd: 'evil.example', email: 'mallory@evil.example' })
    await refused(t, 'google', (await signIn('google')).back, 'wrong_domain', 'Google Workspace accounts of evil.example cannot sign in to this workspace. Sign in with an account of example.com.')

    as({ email_verified: false, email: 'lee@example.com' })
    await refused(t, 'google', (await signIn('google')).back, 'email_not_verified', 'Google has not verified the address lee@example.com.')

    google.peer.person = { sub: 'personal-1', claims: { email: 'pat.personal@gmail.com', email_verified: true, given_name: 'Pat' } }
    await refused(t, 'google', (await signIn('google')).back, 'not_workspace_account', 'This is a personal Google account.')

    t.equal(await app.db('users').where({ workspace_id: acme.id }).whereIn('email', ['mallory@evil.example', 'lee@example.com', 'pat.personal@gmail.com']).count<[{ count: string }]>('* as count').then(r => Number(r[0].count)), 0, 'nobody refused was created')
  })

  t.test('Google: an answer with a state that is not this sign-in\'s', async t => {
    const b = browser(app, host)
    const start = await b.get('/sign-in/sso/google-sso/google')
    const params = await playBrowser(google.peer, String(start.headers.location), callbackOf('google'))
    const forged = await b.get(`/sign-in/sso/google-sso/google/callback?${new URLSearchParams({ ...params, state: 'x'.repeat(43) }).toString()}`)
    await refused(t, 'google', forged, 'unsolicited', 'Google sent a sign-in this browser did not start')

    // Another browser's answer (its state and code) brought to this browser: the binding says no.
    const theirs = await b.get(`/sign-in/sso/google-sso/google/callback?${new URLSearchParams(params).toString()}`, { cookie: 'stocktake_sso=someone-else' })
    t.equal(theirs.statusCode, 403)
    t.match(theirs.body, 'This sign-in was started in another browser.')
    t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { provider: 'google-sso', reason: 'browser_mismatch' } })
    t.equal(google.peer.grants.at(-1), 'ok', 'the code was never redeemed by the refused callbacks')
  })

  t.test('Entra: a person in the admins group becomes admin; out of it, the default role', async t => {
    const person = entra.peer.person
    t.teardown(() => { entra.peer.person = person })
    const sam = await app.registry.people.createIfEmailFree(acme.id, systemActor, { email: 'sam@contoso.com', first_name: 'Sam', last_name: 'Ng', role: 'employee', source: 'manual' })
    t.ok(sam)
    entra.peer.person = { sub: 'entra-sam', tenant: home, claims: { tid: home, email: 'sam@contoso.com', preferred_username: 'sam@contoso.com', given_name: 'Sam', family_name: 'Ng', groups: [STAFF_GROUP, ADMINS_GROUP] } }
    const { b, back } = await signIn('entra', '/people')
    t.equal(back.statusCode, 303, back.body.slice(0, 300))
    t.equal(back.headers.location, '/people')
    t.equal((await b.get('/people')).statusCode, 200, 'signed in')
    const row = await app.db('users').where({ workspace_id: acme.id, email: 'sam@contoso.com' }).first()
    t.equal(row.role, 'admin', 'the admins group made Sam an admin')
    t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: row.id, details: { provider: 'entra-sso', idp: 'microsoft', linked: true, role: { old: 'employee', new: 'admin' } } })
    t.ok(await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', target_id: row.id }).first(), 'the role change is audited as any other')

    entra.peer.person = { ...entra.peer.person, claims: { ...entra.peer.person.claims, groups: [STAFF_GROUP] } }
    t.equal((await signIn('entra')).back.statusCode, 303)
    t.equal((await app.db('users').where({ id: row.id }).first()).role, 'employee', 'no mapped group: the default role')
  })

  t.test('Entra: just in time on and off', async t => {
    const person = entra.peer.person
    t.teardown(() => { entra.peer.person = person })
    entra.peer.person = { sub: 'entra-kim', tenant: home, claims: { tid: home, preferred_username: 'kim@contoso.com', given_name: 'Kim', family_name: 'Ali', groups: [ADMINS_GROUP] } }
    const created = await signIn('entra')
    t.equal(created.back.statusCode, 303, created.back.body.slice(0, 300))
    t.match(await app.db('users').where({ workspace_id: acme.id, email: 'kim@contoso.com' }).first(), { role: 'admin', first_name: 'Kim' }, 'created with the mapped role; the UPN is the address when there is no email claim')
    t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { created: true } })

    await configure('entra', { ...entra.settings, createPeople: false })
    entra.peer.person = { sub: 'entra-jo', tenant: home, claims: { tid: home, email: 'jo@contoso.com', groups: [] } }
    await refused(t, 'entra', (await signIn('entra')).back, 'not_in_register', 'jo@contoso.com is not in this workspace&#x27;s register', 'denied')
    t.notOk(await app.db('users').where({ workspace_id: acme.id, email: 'jo@contoso.com' }).first(), 'not created')
  })

  t.test('Entra refuses a tenant it does not allow', async t => {
    const person = entra.peer.person
    t.teardown(async () => { entra.peer.person = person; await configure('entra', { ...entra.settings }) })
    // One organization: a token of the home tenant whose tid names another tenant.
    entra.peer.person = { sub: 'entra-odd', tenant: home, claims: { tid: other, email: 'eve@fabrikam.com', groups: [] } }
    await refused(t, 'entra', (await signIn('entra')).back, 'wrong_tenant', 'The sign-in token does not name the Microsoft Entra tenant that issued it.')

    // Several organizations: the app registration is multi-tenant; only the home tenant is allowed.
    await configure('entra', { ...entra.settings, tenancy: 'multi', tenantId: undefined, allowedTenants: home, createPeople: true })
    entra.peer.person = { sub: 'entra-outsider', tenant: other, claims: { tid: other, email: 'eve@fabrikam.com', groups: [] } }
    const { params, back } = await signIn('entra')
    t.notOk('iss' in params, 'Entra sends no iss on the authorization response')
    await refused(t, 'entra', back, 'wrong_tenant', 'Accounts of your organization cannot sign in to this workspace.')
    t.notOk(await app.db('users').where({ workspace_id: acme.id, email: 'eve@fabrikam.com' }).first(), 'not created')

    // The home tenant's people still get in through the organizations endpoint.
    entra.peer.person = { sub: 'entra-pat', tenant: home, claims: { tid: home, email: 'pat@contoso.com', groups: [] } }
    t.equal((await signIn('entra')).back.statusCode, 303)
  })
})
