// Microsoft Entra ID sign-in against oidc-provider configured as Entra (fake.ts: a home tenant and
// a second one at login.microsoftonline.com, tenant issuers, the multi-tenant {tenantid} issuer, no
// iss on the callback, AADSTS refusals), through the real redirect flow.
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { connectorTest, createTestContext, runConformance } from '../../core/sdk/testing.ts'
import { LOGIN_HOSTS } from '../_shared/microsoft/clouds.ts'
import { signInThrough, type SignInPlay } from '../_shared/oidc/fake-sign-in.ts'
import connector from './index.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import { CALLBACK_URL, entraPerson, OTHER_TENANT, startFake, TENANT, TENANT_DOMAIN, type EntraFakeOptions } from './fake.ts'

const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 1, maxWaitMs: 1000 } })
const play: SignInPlay = { method: 'microsoft', callbackUrl: CALLBACK_URL }
const ADMINS = '8a0f5b7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b'
const MULTI = { tenancy: 'multi', tenantId: undefined, allowedTenants: TENANT }

async function entraTest (t: Test, settings: Record<string, unknown> = {}, options: EntraFakeOptions = {}) {
  const { fake, ctx } = await setup(t, options, { settings })
  return { fake, ctx }
}

const reasonOf = (result: { ok: boolean, reason?: string }) => result.ok ? 'signed in' : result.reason

t.test('passes the SDK conformance suite', async t => {
  await runConformance(t, fileURLToPath(new URL('.', import.meta.url)))
})

t.test('settings: one tenant (GUID or domain) or an allowlist on the global cloud; role mapping lines', async t => {
  const base = { tenantId: TENANT, clientId: '3f1c2b4a-6d5e-4f70-8a9b-0c1d2e3f4a5b', clientSecret: 's' }
  const make = (settings: Record<string, unknown>) => () => createTestContext({ manifest, settingsSchema, settings })
  t.match(make(base)().settings, { tenancy: 'single', loginHost: 'login.microsoftonline.com', createPeople: false, defaultRole: 'employee' })
  t.ok(make({ ...base, tenantId: TENANT_DOMAIN })(), 'a verified domain')
  t.throws(make({ clientId: base.clientId, clientSecret: 's' }), /tenantId is required for one organization/)
  t.throws(make({ ...base, tenancy: 'multi' }), /allowedTenants must list at least one Directory \(tenant\) ID/)
  t.ok(make({ ...base, tenancy: 'multi', allowedTenants: `${TENANT},\n${OTHER_TENANT}` })(), 'several tenants')
  t.throws(make({ ...base, tenancy: 'multi', allowedTenants: 'contoso.com' }), /allowedTenants must list Directory \(tenant\) ID GUIDs/)
  t.throws(make({ ...base, tenancy: 'multi', allowedTenants: TENANT, loginHost: 'login.microsoftonline.us' }), /loginHost must be the global cloud/)
  t.ok(make({ ...base, loginHost: 'login.microsoftonline.us' })(), 'a national cloud for one tenant')
  t.ok(make({ ...base, roleMappings: `${ADMINS} = admin\r\n# helpdesk\n\n0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e=it-admin\n` })(), 'mapping lines, comments and blank lines')
  t.throws(make({ ...base, roleMappings: `${ADMINS} = owner` }), /roleMappings must be lines of the form group-object-id = role/)
  t.throws(make({ ...base, roleMappings: ADMINS }), /roleMappings must be lines/)
  t.same(settingsSchema.properties.loginHost.oneOf.map(o => o.const), LOGIN_HOSTS, 'the national clouds of plugins/_shared/microsoft/clouds.ts')
})

t.test('methods: "Sign in with Microsoft" once the client and the tenant(s) are set', async t => {
  const { ctx } = await entraTest(t)
  t.same(await connector.signIn!.methods(ctx, {} as never), [{ key: 'microsoft', label: 'Sign in with Microsoft' }])
  const none = createTestContext({ manifest, settings: { tenancy: 'multi' as const, allowedTenants: '', clientId: 'x', clientSecret: 'y' }, validate: false })
  t.same(await connector.signIn!.methods(none, {} as never), [])
})

t.test('one tenant: a person of it signs in with groups and the role mappings; Entra sends no iss on the callback', async t => {
  const { fake, ctx } = await entraTest(t, { roleMappings: `${ADMINS} = admin`, createPeople: true })
  fake.peer.person = entraPerson(TENANT, { groups: [ADMINS, 'b7c1d2e3-0000-4000-8000-000000000001'] })
  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.same(run.result, {
    ok: true,
    identity: { email: 'pat@contoso.com', subject: fake.peer.person.sub, firstName: 'Pat', lastName: 'Doe', groups: [ADMINS, 'b7c1d2e3-0000-4000-8000-000000000001'] },
    policy: { createPeople: true, roleMappings: [{ group: ADMINS, role: 'admin' }], defaultRole: 'employee' }
  })
  t.equal(run.authorizationUrl.origin + run.authorizationUrl.pathname, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`)
  t.match(Object.fromEntries(run.authorizationUrl.searchParams), { code_challenge_method: 'S256', scope: 'openid email profile', prompt: 'select_account' })
  t.notOk('iss' in run.params, 'no iss on the authorization response')

  const byDomain = await entraTest(t, { tenantId: TENANT_DOMAIN })
  const domain = await signInThrough(connector, byDomain.ctx, byDomain.fake.peer, play)
  t.equal(reasonOf(domain.result), 'signed in', 'the tenant named by a verified domain')
  t.equal(domain.authorizationUrl.pathname, `/${TENANT}/oauth2/v2.0/authorize`, 'the endpoints of the discovery document, which name the tenant\'s id')
})

t.test('one tenant: a token whose tid is not the issuer\'s tenant is refused', async t => {
  const { fake, ctx } = await entraTest(t)
  fake.peer.reissue = claims => ({ ...claims, tid: OTHER_TENANT })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'wrong_tenant' })
})

t.test('several tenants: the {tenantid} issuer per token, tid on the allowlist', async t => {
  const { fake, ctx } = await entraTest(t, MULTI)
  const home = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(reasonOf(home.result), 'signed in', 'a tenant on the list')
  t.equal(home.authorizationUrl.pathname, '/organizations/oauth2/v2.0/authorize')

  fake.peer.person = entraPerson(OTHER_TENANT, { email: 'sam@fabrikam.com' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'wrong_tenant', message: /cannot sign in to this workspace/ }, 'a tenant not on the list')

  const both = await entraTest(t, { ...MULTI, allowedTenants: `${TENANT} ${OTHER_TENANT}` })
  both.fake.peer.person = entraPerson(OTHER_TENANT, { email: 'sam@fabrikam.com' })
  t.match((await signInThrough(connector, both.ctx, both.fake.peer, play)).result, { ok: true, identity: { email: 'sam@fabrikam.com' } }, 'listed: its own issuer is accepted')

  // A token claiming a listed tenant but issued under another tenant's issuer.
  both.fake.peer.reissue = claims => ({ ...claims, tid: TENANT })
  t.match((await signInThrough(connector, both.ctx, both.fake.peer, play)).result, { ok: false, reason: 'wrong_issuer' })
})

t.test('the address: email, else the UPN; email ignored when its domain owner is not verified', async t => {
  const { fake, ctx } = await entraTest(t)
  fake.peer.person = entraPerson(TENANT, { email: undefined, preferred_username: 'pat.doe@contoso.com' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: true, identity: { email: 'pat.doe@contoso.com' } })
  fake.peer.person = entraPerson(TENANT, { email: 'ceo@contoso.com', xms_edov: false, preferred_username: 'mallory@contoso.com' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: true, identity: { email: 'mallory@contoso.com' } })
  fake.peer.person = entraPerson(TENANT, { email: undefined, preferred_username: 'pat' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'no_email' })
})

t.test('groups overage with role mappings is refused rather than a guessed role', async t => {
  const overage = { groups: undefined, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.windows.net/x/users/y/getMemberObjects' } } }
  const mapped = await entraTest(t, { roleMappings: `${ADMINS} = admin` })
  mapped.fake.peer.person = entraPerson(TENANT, overage)
  t.match((await signInThrough(connector, mapped.ctx, mapped.fake.peer, play)).result, { ok: false, reason: 'groups_overage' })
  const unmapped = await entraTest(t)
  unmapped.fake.peer.person = entraPerson(TENANT, overage)
  t.match((await signInThrough(connector, unmapped.ctx, unmapped.fake.peer, play)).result, { ok: true, identity: { groups: [] } }, 'no mappings: groups do not matter')
})

t.test('refused with Entra\'s AADSTS reasons: a replayed code, another PKCE verifier', async t => {
  const { fake, ctx } = await entraTest(t)
  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(run.result.ok, true)
  t.match(await run.again(), { ok: false, reason: 'code_replayed', message: /AADSTS54005/ })
  const pkce = await signInThrough(connector, ctx, fake.peer, { ...play, secrets: s => ({ ...s, verifier: 'y'.repeat(43) }) })
  t.match(pkce.result, { ok: false, reason: 'pkce_mismatch', message: /AADSTS501481/ })
})

t.test('refused: bad state, expired ID token, another nonce, another audience', async t => {
  const { fake, ctx } = await entraTest(t)
  t.match((await signInThrough(connector, ctx, fake.peer, { ...play, params: p => ({ ...p, state: 'other' }) })).result, { ok: false, reason: 'bad_state' })
  fake.peer.idTokenTtl = -300
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'expired' })
  fake.peer.idTokenTtl = 3600
  t.match((await signInThrough(connector, ctx, fake.peer, { ...play, secrets: s => ({ ...s, nonce: 'n' }) })).result, { ok: false, reason: 'bad_nonce' })
  fake.peer.reissue = claims => ({ ...claims, aud: '00000003-0000-0000-c000-000000000000' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'wrong_audience' })
})

t.test('Entra\'s refusals on the callback in plain words (assignment, Conditional Access, consent declined)', async t => {
  const { fake, ctx } = await entraTest(t)
  const answer = (error: string, description: string) => signInThrough(connector, ctx, fake.peer, { ...play, params: p => ({ state: p.state, error, error_description: description }) })
  t.match((await answer('access_denied', 'AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.')).result, { ok: false, reason: 'not_assigned', message: /not assigned to this app/ })
  t.match((await answer('access_denied', 'AADSTS53003: Access has been blocked by Conditional Access policies.')).result, { ok: false, reason: 'conditional_access' })
  t.match((await answer('access_denied', 'AADSTS65004: User declined to consent to access the app.')).result, { ok: false, reason: 'access_denied' })
  t.match((await answer('server_error', 'AADSTS90033: A transient error has occurred.')).result, { ok: false, reason: 'provider_error', message: 'Microsoft refused the sign-in (server_error: AADSTS90033: A transient error has occurred.).' })
})

t.test('a national cloud: every call goes to its sign-in host', async t => {
  const { fake, ctx } = await entraTest(t, {}, { loginHost: 'login.microsoftonline.us' })
  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(reasonOf(run.result), 'signed in')
  t.equal(run.authorizationUrl.host, 'login.microsoftonline.us')
})

t.test('test(): discovery and the client; a wrong secret and an unknown tenant in Entra\'s words', async t => {
  const { ctx } = await entraTest(t)
  t.match(await connector.test!(ctx), { ok: true, message: new RegExp(`https://login.microsoftonline.com/${TENANT}/v2.0`) })
  const rejected = await setup(t, { rejectCredentials: true })
  t.match(await connector.test!(rejected.ctx), { ok: false, reason: 'auth', message: /AADSTS7000215/ })
  const unknown = await entraTest(t, { tenantId: 'fabrikam.onmicrosoft.com' })
  t.match(await connector.test!(unknown.ctx), { ok: false, reason: 'config', message: /AADSTS90002: Tenant 'fabrikam\.onmicrosoft\.com' not found/ })
  const multi = await entraTest(t, MULTI)
  t.match(await connector.test!(multi.ctx), { ok: true, message: /\{tenantid\}/ })
})
