// The shared OpenID Connect client against the OIDC peer over real HTTP (ctx.http from the SDK's
// test context): the ID token's signature is checked against the provider's published keys, the
// fetch adapter keeps ctx.http's rules and audit, and the settings both plugins share are read.
import t, { type Test } from 'tap'
import { createTestContext } from '../../../core/sdk/testing.ts'
import type { OutboundCall } from '../../../core/sdk.ts'
import { checkClient } from './client-check.ts'
import { playBrowser } from './fake-browser.ts'
import { startOidcPeer } from './fake-provider.ts'
import { finishSignIn, startSignIn } from './flow.ts'
import { httpFetch } from './http-fetch.ts'
import { listOf, policyOf, roleMappingsOf } from './settings.ts'

const CLIENT_ID = '42-shared.apps.googleusercontent.com'
const SECRET = 'shared-oidc-secret-7d1e'
const CALLBACK = 'https://acme.stocktake.test/sign-in/sso/google-sso/google/callback'
const GOOGLE = { server: 'https://accounts.google.com', clientId: CLIENT_ID, clientSecret: SECRET }
const GOOGLE_HOSTS = ['accounts.google.com', 'oauth2.googleapis.com', 'www.googleapis.com']

async function googlePeer (t: Test) {
  const peer = await startOidcPeer({ flavour: 'google', clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] })
  t.teardown(peer.close)
  peer.person = { sub: 's-1', claims: { email: 'pat@example.com', email_verified: true, hd: 'example.com' } }
  const calls: OutboundCall[] = []
  const ctx = createTestContext({
    manifest: { allowedHosts: GOOGLE_HOSTS },
    settings: { clientId: CLIENT_ID, clientSecret: SECRET, allowedDomains: 'example.com' },
    dispatcher: peer.dispatcher,
    http: { onCall: call => { calls.push(call) } }
  })
  return { peer, ctx, calls }
}

t.test('an ID token the token endpoint returns is refused unless it is signed with a key the provider publishes', async t => {
  const { peer, ctx } = await googlePeer(t)
  const signIn = async () => {
    const started = await startSignIn(ctx, GOOGLE, { callbackUrl: CALLBACK, state: 'st', scope: 'openid email' })
    const params = await playBrowser(peer, started.url, CALLBACK)
    return await finishSignIn(ctx, GOOGLE, { method: 'google', callbackUrl: CALLBACK, params, attempt: { state: 'st', secrets: started.secrets ?? {} } }, { name: 'Google' })
  }
  t.match(await signIn(), { ok: true, claims: { sub: 's-1', hd: 'example.com' } })
  peer.forgeSignature = true
  t.match(await signIn(), { ok: false, reason: 'bad_signature' })
})

t.test('every call of openid-client goes through ctx.http: audited once each, form bodies, provider refusals as answers', async t => {
  const { peer, ctx, calls } = await googlePeer(t)
  const result = await checkClient(ctx, GOOGLE, { name: 'Google' })
  t.equal(result.ok, true)
  t.same(calls.map(c => `${c.method} ${c.host}${c.path} ${String(c.status)}`), [
    'GET accounts.google.com/.well-known/openid-configuration 200',
    'POST oauth2.googleapis.com/token 400'
  ], 'the token endpoint\'s 400 reaches openid-client as an answer, not a retried failure')
  t.same(peer.grants, ['authorization code not found'], 'the made-up code reached the provider as a form, client authenticated')
  t.notOk(JSON.stringify(calls).includes(SECRET), 'the audit entries hold no client secret')

  const fetch = httpFetch(ctx)
  const cached = await fetch('https://accounts.google.com/.well-known/openid-configuration', { method: 'GET', headers: {}, body: undefined as never, redirect: 'manual', signal: AbortSignal.timeout(5000) })
  t.equal(cached.status, 200)
  t.equal(calls.length, 2, 'the discovery document came from ctx.cache')
  await t.rejects(fetch('https://accounts.evil.example/.well-known/openid-configuration', { method: 'GET', headers: {}, body: undefined as never, redirect: 'manual', signal: AbortSignal.timeout(5000) }), { name: 'HostNotAllowedError' })
})

t.test('a provider that stops answering: a network failure for test(), provider_unavailable for a sign-in', async t => {
  const peer = await startOidcPeer({ flavour: 'google', clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] })
  peer.person = { sub: 's-1', claims: { email: 'pat@example.com', email_verified: true, hd: 'example.com' } }
  const ctx = createTestContext({ manifest: { allowedHosts: GOOGLE_HOSTS }, settings: {}, dispatcher: peer.dispatcher, http: { maxRetries: 1, maxWaitMs: 200 } })
  const started = await startSignIn(ctx, GOOGLE, { callbackUrl: CALLBACK, state: 'st', scope: 'openid email' })
  const params = await playBrowser(peer, started.url, CALLBACK)
  await peer.close()
  const result = await finishSignIn(ctx, GOOGLE, { method: 'google', callbackUrl: CALLBACK, params, attempt: { state: 'st', secrets: started.secrets ?? {} } }, { name: 'Google' })
  t.match(result, { ok: false, reason: 'provider_unavailable', message: /^Google could not be reached to finish the sign-in \(.+\)\. Try again in a moment\.$/ })
  const fresh = createTestContext({ manifest: { allowedHosts: GOOGLE_HOSTS }, settings: {}, dispatcher: peer.dispatcher, http: { maxRetries: 0 } })
  t.match(await checkClient(fresh, GOOGLE, { name: 'Google' }), { ok: false, reason: 'network', message: /^Google's discovery document could not be read/ })
})

t.test('shared settings: lists and role mapping lines', async t => {
  t.same(listOf(' Example.com, example.org\nexample.com ;example.net '), ['example.com', 'example.org', 'example.net'])
  t.same(listOf(undefined), [])
  t.same(roleMappingsOf('g-1 = admin\r\n# note\n\n  g 2 =IT-ADMIN \ng3 = owner\n= admin'), [{ group: 'g-1', role: 'admin' }, { group: 'g 2', role: 'it-admin' }])
  t.same(policyOf({}), { createPeople: false, roleMappings: [], defaultRole: 'employee' })
  t.same(policyOf({ createPeople: true, defaultRole: 'admin', roleMappings: 'a = super-admin' }), { createPeople: true, roleMappings: [{ group: 'a', role: 'super-admin' }], defaultRole: 'admin' })
})
