// Google Workspace SSO against oidc-provider configured as Google (fake.ts), through the real
// redirect flow: the browser is played at the provider, the plugin's start and finish are called as
// the core calls them, and each refusal is checked for its reason.
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { connectorTest, createTestContext, runConformance } from '../../core/sdk/testing.ts'
import { signInThrough, type SignInPlay } from '../_shared/oidc/fake-sign-in.ts'
import connector from './index.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import { CALLBACK_URL, DOMAIN, startFake, type GoogleFake } from './fake.ts'

const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 1, maxWaitMs: 1000 } })
const play: SignInPlay = { method: 'google', callbackUrl: CALLBACK_URL }
const PAT = { email: `pat@${DOMAIN}`, email_verified: true, hd: DOMAIN, given_name: 'Pat', family_name: 'Doe' }

/** The plugin against its own peer, `claims` being the person who signs in at Google. */
async function googleTest (t: Test, claims: Record<string, unknown> = PAT, settings: Record<string, unknown> = {}) {
  const { fake, ctx } = await setup(t, {}, { settings })
  fake.peer.person = { sub: '109876543210987654321', claims }
  return { fake, ctx }
}

const reasonOf = (result: { ok: boolean, reason?: string }) => result.ok ? 'signed in' : result.reason

t.test('passes the SDK conformance suite', async t => {
  await runConformance(t, fileURLToPath(new URL('.', import.meta.url)))
})

t.test('settings: a Google client ID, a secret, at least one domain; JIT off and employee by default', async t => {
  const base = { clientId: '1234567890-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-x', allowedDomains: 'example.com' }
  const make = (settings: Record<string, unknown>) => () => createTestContext({ manifest, settingsSchema, settings })
  t.match(make(base)().settings, { createPeople: false, defaultRole: 'employee' })
  t.ok(make({ ...base, allowedDomains: ' example.com, example.org\nexample.net ' })(), 'several domains, commas, spaces or lines')
  t.throws(make({ ...base, allowedDomains: '' }), /allowedDomains must list at least one domain/)
  t.throws(make({ ...base, allowedDomains: 'not a domain' }), /allowedDomains must list at least one domain/)
  t.throws(make({ clientId: base.clientId, clientSecret: 'x' }), /allowedDomains must list at least one Google Workspace domain/)
  t.throws(make({ ...base, clientId: 'my-app' }), /clientId must be the Client ID of a Google OAuth client/)
  t.throws(make({ ...base, defaultRole: 'super-admin' }), /defaultRole/, 'no one becomes super-admin just in time')
  t.equal(settingsSchema.properties.clientSecret.writeOnly, true)
})

t.test('methods: "Sign in with Google" once the client and a domain are set', async t => {
  const { ctx } = await setup(t)
  t.same(await connector.signIn!.methods(ctx, {} as never), [{ key: 'google', label: 'Sign in with Google' }])
  const unset = createTestContext({ manifest, settings: { clientId: '', clientSecret: '', allowedDomains: '' }, validate: false })
  t.same(await connector.signIn!.methods(unset, {} as never), [])
})

t.test('a Workspace account of an allowed domain signs in: verified identity, the workspace\'s policy, Google\'s hosts only', async t => {
  const { fake, ctx } = await googleTest(t, PAT, { createPeople: true, defaultRole: 'it-admin' })
  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.same(run.result, {
    ok: true,
    identity: { email: `pat@${DOMAIN}`, subject: '109876543210987654321', firstName: 'Pat', lastName: 'Doe', groups: [] },
    policy: { createPeople: true, roleMappings: [], defaultRole: 'it-admin' }
  })
  const asked = run.authorizationUrl
  t.equal(asked.origin + asked.pathname, 'https://accounts.google.com/o/oauth2/v2/auth', 'the browser goes to Google\'s authorization endpoint')
  t.match(Object.fromEntries(asked.searchParams), {
    response_type: 'code', scope: 'openid email profile', redirect_uri: CALLBACK_URL, hd: DOMAIN, code_challenge_method: 'S256', prompt: 'select_account'
  })
  t.equal(asked.searchParams.get('nonce'), run.secrets.nonce, 'the nonce is kept for finish')
  t.notOk(asked.href.includes(run.secrets.verifier), 'the PKCE verifier never leaves the server')
  t.equal(run.params.iss, 'https://accounts.google.com', 'Google\'s iss on the callback is checked')

  const again = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(again.result.ok, true)
  t.same(fake.peer.metadataRequests, ['/.well-known/openid-configuration', '/oauth2/v3/certs'], 'discovery and keys fetched once for two sign-ins (ctx.cache)')
})

t.test('the hd parameter is only a hint: the signed hd claim decides', async t => {
  const { fake, ctx } = await googleTest(t, { ...PAT, hd: 'other.example', email: 'sam@other.example' })
  // Google signs in whichever account the person picks, whatever hd asked for (the peer ignores hd too).
  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(run.authorizationUrl.searchParams.get('hd'), DOMAIN)
  t.match(run.result, { ok: false, reason: 'wrong_domain', message: /other\.example cannot sign in.*example\.com/ })

  const several = await googleTest(t, PAT, { allowedDomains: 'example.com, example.org' })
  const both = await signInThrough(connector, several.ctx, several.fake.peer, play)
  t.equal(both.authorizationUrl.searchParams.get('hd'), '*', 'several domains: any Workspace account is hinted')
  t.equal(reasonOf(both.result), 'signed in')
})

t.test('refused: a personal account (no hd), an unverified address, no address', async t => {
  const consumer = await googleTest(t, { email: 'pat@gmail.com', email_verified: true })
  t.match((await signInThrough(connector, consumer.ctx, consumer.fake.peer, play)).result, { ok: false, reason: 'not_workspace_account', message: /personal Google account/ })
  const unverified = await googleTest(t, { ...PAT, email_verified: false })
  t.match((await signInThrough(connector, unverified.ctx, unverified.fake.peer, play)).result, { ok: false, reason: 'email_not_verified' })
  const noEmail = await googleTest(t, { hd: DOMAIN })
  t.match((await signInThrough(connector, noEmail.ctx, noEmail.fake.peer, play)).result, { ok: false, reason: 'no_email' })
})

t.test('refused: another state, an unsolicited answer, a replayed code, another PKCE verifier', async t => {
  const { fake, ctx } = await googleTest(t)
  const badState = await signInThrough(connector, ctx, fake.peer, { ...play, params: p => ({ ...p, state: 'forged-state' }) })
  t.match(badState.result, { ok: false, reason: 'bad_state' })
  t.match((await signInThrough(connector, ctx, fake.peer, { ...play, attempt: null })).result, { ok: false, reason: 'unsolicited' })

  const run = await signInThrough(connector, ctx, fake.peer, play)
  t.equal(run.result.ok, true)
  t.match(await run.again(), { ok: false, reason: 'invalid_grant', message: /already used/ }, 'Google answers invalid_grant for a used code')
  t.equal(fake.peer.grants.at(-1), 'authorization code already consumed')

  const pkce = await signInThrough(connector, ctx, fake.peer, { ...play, secrets: s => ({ ...s, verifier: 'x'.repeat(43) }) })
  t.match(pkce.result, { ok: false, reason: 'invalid_grant' })
  t.equal(fake.peer.grants.at(-1), 'PKCE verification failed', 'the provider refused the verifier')
})

t.test('refused: an expired ID token, another nonce, another audience, another issuer on the callback', async t => {
  const { fake, ctx } = await googleTest(t)
  fake.peer.idTokenTtl = -120
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'expired' })
  fake.peer.idTokenTtl = -30
  t.equal(reasonOf((await signInThrough(connector, ctx, fake.peer, play)).result), 'signed in', 'within the clock tolerance')
  fake.peer.idTokenTtl = 3600

  t.match((await signInThrough(connector, ctx, fake.peer, { ...play, secrets: s => ({ ...s, nonce: 'another-nonce' }) })).result, { ok: false, reason: 'bad_nonce' })

  fake.peer.reissue = claims => ({ ...claims, aud: '999-other.apps.googleusercontent.com' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'wrong_audience' })
  fake.peer.reissue = claims => ({ ...claims, iss: 'https://accounts.evil.example' })
  t.match((await signInThrough(connector, ctx, fake.peer, play)).result, { ok: false, reason: 'wrong_issuer' })
  fake.peer.reissue = null

  const mixedUp = await signInThrough(connector, ctx, fake.peer, { ...play, params: p => ({ ...p, iss: 'https://login.microsoftonline.com/x/v2.0' }) })
  t.match(mixedUp.result, { ok: false, reason: 'wrong_issuer' })
})

t.test('the person cancels at Google: access_denied with Google\'s words', async t => {
  const { fake, ctx } = await googleTest(t)
  const run = await signInThrough(connector, ctx, fake.peer, { ...play, params: p => ({ state: p.state, iss: p.iss, error: 'access_denied', error_description: 'The user denied access' }) })
  t.same(run.result, { ok: false, reason: 'access_denied', message: 'Google did not sign you in (access_denied: The user denied access). Start the sign-in again from the sign-in page.' })
})

t.test('test(): discovery through ctx.http and the client accepted; a wrong secret is an auth failure', async t => {
  const { ctx } = await setup(t)
  t.match(await connector.test!(ctx), { ok: true, message: /Google \(https:\/\/accounts\.google\.com\) answered and accepted the client ID and secret/ })
  const rejected = await setup(t, { rejectCredentials: true })
  t.match(await connector.test!(rejected.ctx), { ok: false, reason: 'auth', message: /Google refused the client ID or secret \(invalid_client/ })
  const offList = createTestContext({ manifest: { ...manifest, allowedHosts: ['oauth2.googleapis.com'] }, settingsSchema, settings: (rejected.fake as GoogleFake).settings, dispatcher: rejected.dispatcher })
  t.match(await connector.test!(offList), { ok: false, reason: 'network', message: /accounts\.google\.com/ }, 'every call goes through ctx.http and its allowedHosts')
})
