// OAuth consent (authorization code with PKCE S256) against a real authorization server on
// loopback (oidc-provider): the Connect button and the core's callback, the state's bindings,
// tokens sealed and never logged, refresh before expiry and after a 401, two workers refreshing a
// rotating refresh token at once, a refused refresh (Needs attention → Reconnect), and Disconnect
// revoking at the vendor.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { browser, type TestSession } from './helpers/session.ts'
import { ACCOUNT, CLIENT_ID, CLIENT_SECRET, playConsent, startOAuthPeer } from './helpers/oauth-peer.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { loadConfig } from '../core/config.ts'
import { ConnectorError } from '../core/sdk.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { redirectUri } from '../core/integrations/oauth-routes.ts'

const PLUGIN = 'consent-vendor'
const CARD = `/settings/integrations/${PLUGIN}`
const ENV = { LOG_LEVEL: 'silent', STOCKTAKE_DATA_DIR: '/nonexistent' }

const [plugin] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/consent-plugin/', import.meta.url))] })
const peer = await startOAuthPeer([redirectUri(loadConfig(ENV).baseUrl, 'acme')])
t.teardown(peer.close)
const logged: string[] = []
const { app } = await buildTestApp(t, {}, { plugins: [plugin], httpDispatcher: peer.dispatcher, logger: { level: 'debug', stream: { write: (line: string) => { logged.push(line) } } } })
/** An admin of `slug`, signed in through their one-time link in a browser of their own. */
async function adminOf (slug: string, email: string) {
  const access = await grantAdminAccess(app, slug, email)
  const session = browser(app, `${slug}.localhost`)
  const res = await session.get(new URL(access.signInUrl).pathname)
  if (res.statusCode !== 303 || !session.cookies.has('stocktake_session')) throw new Error(`sign-in failed: ${res.statusCode}`)
  return { session, workspace: access.workspace }
}
const { session: admin, workspace: ws } = await adminOf('acme', 'admin@acme.test')
await app.integrations.settings.save(ws.id, systemActor, plugin, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { enabled: true })

/** Clicks Connect (or Reconnect) on the card: the vendor's consent page the admin is sent to. */
async function clickConnect (session: TestSession, label = 'Connect with Consent Vendor'): Promise<string> {
  const form = await session.get(CARD)
  const link = new RegExp(`<a class="button[^"]*" href="([^"]+)" id="integration-connect-${PLUGIN}">${label}</a>`).exec(form.body)
  if (link === null) throw new Error(`no "${label}" on the card`)
  const res = await session.get(link[1])
  if (res.statusCode !== 303) throw new Error(`Connect answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
  return String(res.headers.location)
}

/** Connect → consent at the vendor → the callback; the callback's answer and its URL. */
const codes: string[] = []
async function connect (session: TestSession, label?: string) {
  const authorize = await clickConnect(session, label)
  const back = await playConsent(peer, authorize)
  codes.push(back.searchParams.get('code') ?? '')
  return { authorize: new URL(authorize), back, res: await session.get(back.pathname + back.search) }
}

const cardBadge = async (session: TestSession): Promise<string> => {
  const grid = await session.get('/settings/integrations')
  const card = new RegExp(`<li id="integration-card-${PLUGIN}"[\\s\\S]*?</li>`).exec(grid.body)?.[0] ?? ''
  return card
}
const refreshes = () => peer.events.filter(e => e.name === 'grant.success' && e.grantType === 'refresh_token').length
const me = async () => await (await app.integrations.contextFor(PLUGIN, ws.id)).http.request<{ sub: string }>({ url: 'https://api.example/me' })
/** The stored access token (of a one-hour lifetime) now has `seconds` left. */
const expireLocally = async (seconds: number) => {
  await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN })
    .update({ expires_at: app.db.raw('now() + make_interval(secs => ?)', [seconds]), updated_at: app.db.raw('now() + make_interval(secs => ?)', [seconds - 3600]) })
}

t.test('Connect → consent at the vendor → the core callback: connected, with PKCE S256', async t => {
  t.match(await cardBadge(admin), /Not connected[\s\S]*Connect with Consent Vendor/, 'before consent the card says Not connected and offers Connect')
  const { authorize, back, res } = await connect(admin)
  t.equal(authorize.origin + authorize.pathname, 'https://idp.example/auth')
  const params = authorize.searchParams
  t.equal(params.get('code_challenge_method'), 'S256')
  t.match(params.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/)
  t.equal(params.get('client_id'), CLIENT_ID)
  t.equal(params.get('scope'), 'openid offline_access')
  t.equal(params.get('prompt'), 'consent', 'the manifest\'s extra authorize parameter')
  t.equal(params.get('redirect_uri'), redirectUri(app.config.baseUrl, 'acme'))
  t.notOk(authorize.href.includes(CLIENT_SECRET), 'the client secret never goes to the browser')
  t.equal(back.searchParams.get('state'), params.get('state'))
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/integrations')
  t.match(await cardBadge(admin), /badge-success">Connected</, 'back on the card: Connected')
  const exchange = peer.events.find(e => e.grantType === 'authorization_code')
  t.same(exchange, { name: 'grant.success', grantType: 'authorization_code', codeVerifier: true }, 'the code was exchanged with its PKCE verifier')
  t.equal((await me()).body.sub, ACCOUNT, 'ctx.http signs the vendor\'s API in with the consented token')

  const replay = await admin.get(back.pathname + back.search)
  t.equal(replay.statusCode, 400, 'a state is used once')
  t.match(replay.body, /unknown or was already used/)
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.consented' })
  t.equal(audit.length, 1, 'the consent is audited')
})

t.test('tokens are sealed at rest and never in the logs or the audit trail', async t => {
  const tokens = [...peer.issued.access, ...peer.issued.refresh]
  t.ok(tokens.length >= 2, 'the vendor issued an access and a refresh token')
  const tables = ['integration_oauth_tokens', 'integration_oauth_states', 'integrations', 'audit_log']
  for (const table of tables) {
    const rows = await app.db.raw(`SELECT row_to_json(x)::text AS j FROM ${table} x`)
    const text = rows.rows.map((r: { j: string }) => r.j).join('\n')
    for (const token of tokens) t.notOk(text.includes(token), `no token in plain text in ${table}`)
  }
  const row = await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN }).first()
  t.equal(await app.secrets.decrypt(ws.id, row.sealed_access_token), peer.issued.access.at(-1), 'the sealed access token opens with the workspace key')
  const logs = logged.join('\n')
  t.ok(logs.length > 0, 'the app logged')
  for (const token of [...tokens, CLIENT_SECRET]) t.notOk(logs.includes(token), 'no token or client secret in the logs')
  t.ok(codes.length > 0 && codes.every(code => code !== '' && !logs.includes(code)), 'no authorization code in the logs (the callback\'s query is not logged)')
  t.match(logs, /oauth\/callback\?\[query not logged\]/, 'the callback\'s request line is logged without its query')
  const form = await admin.get(CARD)
  for (const token of tokens) t.notOk(form.body.includes(token), 'never shown on the card')
})

t.test('ctx.http refreshes before expiry, and once after a 401', async t => {
  const before = refreshes()
  await expireLocally(90) // a minute and a half left: not yet due
  t.equal((await me()).status, 200)
  t.equal(refreshes(), before, 'not refreshed while more than a minute is left')
  // A short-lived token (90 s) is renewed at half its lifetime, not a minute before: with 50 s left, not yet.
  await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN })
    .update({ expires_at: app.db.raw("now() + interval '50 seconds'"), updated_at: app.db.raw("now() - interval '40 seconds'") })
  t.equal((await me()).status, 200)
  t.equal(refreshes(), before, 'a 90-second token with 50 s left is not refreshed yet')
  await expireLocally(30) // inside the refresh margin
  t.equal((await me()).status, 200)
  t.equal(refreshes(), before + 1, 'refreshed before the token ran out')
  t.equal(peer.apiCalls.at(-1)?.token, peer.issued.access.at(-1), 'with the new access token')
  const row = await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN }).first()
  t.equal(await app.secrets.decrypt(ws.id, row.sealed_refresh_token), peer.issued.refresh.at(-1), 'the rotated refresh token is stored')

  // The vendor revokes the access token early: the API answers 401, ctx.http refreshes once and retries.
  const current = await peer.provider.AccessToken.find(peer.issued.access.at(-1) as string)
  await current?.destroy()
  const calls = peer.apiCalls.length
  t.equal((await me()).status, 200)
  t.same(peer.apiCalls.slice(calls).map(c => c.status), [401, 200], 'a 401, then the retry with a fresh token')
  t.equal(refreshes(), before + 2)
})

t.test('two workers refreshing at once: the vendor sees one refresh, the rotated token is kept', async t => {
  await expireLocally(-60)
  const before = refreshes()
  const errors = peer.events.filter(e => e.name === 'grant.error').length
  const [a, b] = await Promise.all([app.integrations.contextFor(PLUGIN, ws.id), app.integrations.contextFor(PLUGIN, ws.id)])
  const answers = await Promise.all([a, b, a, b].map(async ctx => await ctx.http.request({ url: 'https://api.example/me' })))
  t.same(answers.map(r => r.status), [200, 200, 200, 200])
  t.equal(refreshes(), before + 1, 'one refresh at the vendor')
  t.equal(peer.events.filter(e => e.name === 'grant.error').length, errors, 'no refresh token was used twice (the vendor would revoke the grant)')
  await expireLocally(-60)
  t.equal((await me()).status, 200, 'the stored rotated refresh token still works')
  t.equal(refreshes(), before + 2)
})

t.test('a refresh left half-done by a worker that died: its lease lapses and the next worker refreshes', async t => {
  await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN })
    .update({ refresh_lease_id: '00000000-0000-4000-8000-00000000dead', refresh_lease_until: app.db.raw("now() - interval '1 second'") })
  await expireLocally(-60)
  const before = refreshes()
  t.equal((await me()).status, 200)
  t.equal(refreshes(), before + 1)
  const row = await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN }).first()
  t.equal(row.refresh_lease_id, null, 'the lease is released with the new tokens')
})

t.test('a refused refresh: Needs attention with Reconnect, which restarts consent', async t => {
  const refresh = await peer.provider.RefreshToken.find(peer.issued.refresh.at(-1) as string)
  await refresh?.destroy() // the vendor forgot the grant (revoked by a user, expired)
  await expireLocally(-60)
  const err = await me().catch((e: unknown) => e)
  t.ok(err instanceof ConnectorError && err.reason === 'auth', 'an auth failure')
  t.match((err as Error).message, /refused to renew Stocktake's access \(invalid_grant[^)]*\)\. Use Reconnect/)
  const card = await cardBadge(admin)
  t.match(card, /Needs attention/)
  t.match(card, /refused to renew Stocktake&#x27;s access/)
  t.match(card, new RegExp(`href="/settings/integrations/${PLUGIN}/connect"[^>]*>Reconnect<`), 'the card offers Reconnect')
  t.equal(await app.db('integration_oauth_tokens').where({ workspace_id: ws.id }).count().first().then(r => Number(r?.count)), 0, 'the refused tokens are forgotten')

  const { res } = await connect(admin, 'Reconnect')
  t.equal(res.statusCode, 303)
  const after = await cardBadge(admin)
  t.match(after, /badge-success">Connected</, 'connected again')
  t.notMatch(after, /Needs attention/)
  t.equal((await me()).status, 200)
})

t.test('an expired token with no refresh token: Needs attention with Reconnect', async t => {
  await app.db('integration_oauth_tokens').where({ workspace_id: ws.id, plugin_id: PLUGIN }).update({ sealed_refresh_token: null })
  await expireLocally(-60)
  const before = refreshes()
  const err = await me().catch((e: unknown) => e)
  t.ok(err instanceof ConnectorError && err.reason === 'auth')
  t.match((err as Error).message, 'Consent Vendor gave no refresh token, and its access has expired. Use Reconnect on the card to give consent again.')
  t.equal(refreshes(), before, 'nothing was sent to the vendor')
  const card = await cardBadge(admin)
  t.match(card, /Needs attention/)
  t.match(card, />Reconnect</, 'the card offers Reconnect')
})

t.test('the state is bound to the session, the workspace and its time', async t => {
  // Another admin of the same workspace cannot finish this admin's attempt; the admin still can.
  const { session: otherSession } = await adminOf('acme', 'other@acme.test')
  const back = await playConsent(peer, await clickConnect(admin, 'Reconnect'))
  const foreign = await otherSession.get(back.pathname + back.search)
  t.equal(foreign.statusCode, 400)
  t.match(foreign.body, /started in another sign-in session/)
  t.equal((await admin.get(back.pathname + back.search)).statusCode, 303, 'the admin who clicked finishes it')

  // Another workspace's admin.
  const { session: betaSession } = await adminOf('beta', 'admin@beta.test')
  const unsaved = await betaSession.get(`${CARD}/connect`)
  t.equal(unsaved.statusCode, 303, 'Connect before the settings are saved goes back to the card')
  t.match((await betaSession.get(String(unsaved.headers.location))).body, /Consent Vendor: save the settings first, then connect\./)
  const back2 = await playConsent(peer, await clickConnect(admin, 'Reconnect'))
  const elsewhere = await betaSession.get(back2.pathname + back2.search)
  t.equal(elsewhere.statusCode, 400)
  t.match(elsewhere.body, /unknown or was already used \(each one works once, in the workspace it was started in\)/)

  // Expired.
  const back3 = await playConsent(peer, await clickConnect(admin, 'Reconnect'))
  await app.db('integration_oauth_states').where({ workspace_id: ws.id }).update({ expires_at: app.db.raw("now() - interval '1 minute'") })
  const expired = await admin.get(back3.pathname + back3.search)
  t.equal(expired.statusCode, 400)
  t.match(expired.body, /expired/)

  // The vendor's refusal, and no state at all.
  const authorize = new URL(await clickConnect(admin, 'Reconnect'))
  const denied = await admin.get(`/settings/integrations/oauth/callback?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=${authorize.searchParams.get('state') ?? ''}`)
  t.equal(denied.statusCode, 400)
  t.match(denied.body, /Consent Vendor did not give consent \(access_denied: The user said no\)/)
  const none = await admin.get('/settings/integrations/oauth/callback?code=abc')
  t.equal(none.statusCode, 400)
  t.match(none.body, /names no connection attempt/)
})

t.test('consent tokens never follow a changed destination: a save that moves one forgets them', async t => {
  // A variant whose token URL comes from a setting (a per-tenant vendor): its site decides where the refresh token goes.
  const variant = {
    ...plugin,
    id: 'consent-tenant',
    manifest: { ...plugin.manifest, id: 'consent-tenant', allowedHosts: ['{{site}}'], oauth2: { ...plugin.manifest.oauth2!, tokenUrl: 'https://{{site}}/token' } },
    settingsSchema: { ...plugin.settingsSchema!, properties: { ...plugin.settingsSchema!.properties, site: { type: 'string', title: 'Site' } } }
  }
  const scope = { workspace_id: ws.id, plugin_id: 'consent-tenant' }
  t.ok((await app.integrations.settings.save(ws.id, systemActor, variant, { site: 'a.vendor.test', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).ok)
  await app.integrations.tokens.save(app.db, ws.id, 'consent-tenant', { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: new Date(Date.now() + 3600_000) })
  t.ok((await app.integrations.settings.save(ws.id, systemActor, variant, { site: 'a.vendor.test', clientId: 'renamed-client' })).ok)
  t.equal((await app.db('integration_oauth_tokens').where(scope)).length, 1, 'a save that keeps the destination keeps the consent')
  t.ok((await app.integrations.settings.save(ws.id, systemActor, variant, { site: 'b.vendor.test', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).ok)
  t.equal((await app.db('integration_oauth_tokens').where(scope)).length, 0, 'a new site: the tokens are forgotten')
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.settings_saved', target_id: 'consent-tenant' }).orderBy('id', 'desc').first()
  t.same(audit.changes.consent, { old: '(given)', new: '(forgotten: connect again)' }, 'audited')
  await app.db('integrations').where(scope).delete()
})

t.test('Disconnect revokes the tokens at the vendor and forgets them', async t => {
  const refresh = peer.issued.refresh.at(-1) as string
  t.ok(await peer.provider.RefreshToken.find(refresh), 'the grant is live at the vendor')
  const res = await admin.post(`${CARD}/disconnect`, {}, {})
  t.equal(res.statusCode, 303)
  t.notOk(await peer.provider.RefreshToken.find(refresh), 'the refresh token is revoked at the vendor')
  t.ok(peer.events.some(e => e.name === 'grant.revoked'), 'the vendor revoked the grant (RFC 7009)')
  t.equal(Number((await app.db('integration_oauth_tokens').where({ workspace_id: ws.id }).count().first())?.count), 0, 'the tokens are forgotten')
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.disconnected' }).first()
  t.same(audit.details, { tokens_revoked: true })
  const revokes = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' }).whereRaw("details->>'path' = '/token/revocation'")
  t.ok(revokes.length >= 1, 'the revocation went through the egress client (audited)')
})
