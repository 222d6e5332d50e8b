// What single sign-on refuses: unknown, replayed and expired attempts, an answer carried to another
// browser, return paths that leave the workspace, answers from another workspace, unasked answers
// (unless the method allows them), too many attempts from one address; and the bare host.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { browser } from './helpers/session.ts'
import { crossSitePost, deliver, enableFixtureSso, lastSignIn, signInPlugins, ssoSignIn, SSO_PLUGIN } from './helpers/sso.ts'
import { startFakeIdp } from './fixtures/sign-in-plugin/fake-idp.ts'

const idp = await startFakeIdp()
t.teardown(idp.close)
const plugins = await signInPlugins()
const { app, workspace } = await buildTestApp(t, {}, { plugins })
const acme = await workspace('acme')
const globex = await workspace('globex')
const HOST = 'acme.localhost'
await enableFixtureSso(app, acme.id, idp)
await app.db('users').insert({ workspace_id: acme.id, email: 'pat@acme.test', role: 'employee' })
idp.user = { email: 'pat@acme.test', subject: 'sub-pat', groups: [] }
const START = `/sign-in/sso/${SSO_PLUGIN}/get`

t.test('an unknown state is refused, an answer is used once, an expired attempt is refused', async t => {
  const b = browser(app, HOST)
  const start = await b.get(START)
  const answer = idp.answer(String(start.headers.location))
  const forged = await deliver(app, b, { ...answer, params: { ...answer.params, state: 'x'.repeat(43) } })
  t.equal(forged.statusCode, 403)
  t.match(forged.body, 'was not started here, or it was already used or expired')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'unsolicited' } })

  const path = new URL(answer.callback).pathname
  const head = await b.inject({ method: 'HEAD', url: `${path}?${new URLSearchParams(answer.params).toString()}` })
  t.equal(head.statusCode, 404, 'a HEAD (a link scanner) does not use the attempt up')
  t.equal((await deliver(app, b, answer)).statusCode, 303, 'the real answer still works')
  const replay = await deliver(app, browser(app, HOST), answer)
  t.equal(replay.statusCode, 403, 'the same answer again is refused')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'unsolicited' } })

  const late = await b.get(START)
  await app.db('sign_in_attempts').where({ workspace_id: acme.id }).update({ expires_at: app.db.raw("now() - interval '1 second'") })
  const expired = await deliver(app, b, idp.answer(String(late.headers.location)))
  t.equal(expired.statusCode, 403)
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'unsolicited' } })
  await b.get(START)
  t.equal(Number((await app.db('sign_in_attempts').where({ workspace_id: acme.id }).count('* as n').first())!.n), 1, 'expired attempts are pruned when a new one starts')

  const tampered = await ssoSignIn(app, browser(app, HOST), idp, { overrides: { email: 'pat@acme.test' } })
  t.equal(tampered.callback.statusCode, 303)
  const b2 = browser(app, HOST)
  const s2 = await b2.get(START)
  const a2 = idp.answer(String(s2.headers.location))
  const [body, sig] = a2.params.assertion.split('.')
  const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), email: 'boss@acme.test' })).toString('base64url')
  const bad = await deliver(app, b2, { ...a2, params: { ...a2.params, assertion: `${changed}.${sig}` } })
  t.equal(bad.statusCode, 403)
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'bad_signature' } })
})

t.test('an answer carried to another browser signs nobody in there (GET and POST)', async t => {
  for (const method of ['get', 'post'] as const) {
    const victim = browser(app, HOST)
    const start = await victim.get(`/sign-in/sso/${SSO_PLUGIN}/${method}`)
    const answer = idp.answer(String(start.headers.location))
    const attacker = browser(app, HOST)
    await attacker.get(`/sign-in/sso/${SSO_PLUGIN}/${method}`) // a binding cookie of its own
    let res = await deliver(app, attacker, answer)
    if (method === 'post') {
      t.equal(res.statusCode, 303, 'the POST is verified first')
      res = await attacker.get(String(res.headers.location))
    }
    t.equal(res.statusCode, 403, method)
    t.match(res.body, 'started in another browser')
    t.notOk(attacker.cookies.has('stocktake_session'))
    t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { reason: 'browser_mismatch', idp: method } })
  }
})

t.test('the return path is only ever a path of this workspace', async t => {
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/sign-in/sso/fixture-sso/get', 'http://globex.localhost:3000/']) {
    const run = await ssoSignIn(app, browser(app, HOST), idp, { next })
    t.equal(run.final.headers.location, '/', next)
  }
  const post = await ssoSignIn(app, browser(app, HOST), idp, { method: 'post', next: '/people?q=a#top' })
  t.equal(post.final.headers.location, '/people?q=a#top')
})

t.test('an answer for one workspace does nothing in another', async t => {
  const b = browser(app, HOST)
  const start = await b.get(START)
  const answer = idp.answer(String(start.headers.location))
  const path = new URL(answer.callback).pathname
  const elsewhere = browser(app, 'globex.localhost')
  const notThere = await elsewhere.get(`${path}?${new URLSearchParams(answer.params).toString()}`)
  t.equal(notThere.statusCode, 404, 'the method is not set up there')
  await enableFixtureSso(app, globex.id, idp)
  const refused = await elsewhere.get(`${path}?${new URLSearchParams(answer.params).toString()}`)
  t.equal(refused.statusCode, 403, 'the attempt belongs to the other workspace')
  // The plugin sees first that the answer names acme's callback; no attempt of globex matches either.
  t.match(await lastSignIn(app, globex.id), { outcome: 'failure', details: { reason: 'wrong_audience' } })
  t.notOk(elsewhere.cookies.has('stocktake_session'))
  t.equal((await deliver(app, b, answer)).statusCode, 303, 'and it still works where it started')
})

t.test('an answer nobody asked for (IdP-initiated) only when the method allows it, bound to the browser it lands in', async t => {
  const callback = `http://acme.localhost:3000/sign-in/sso/${SSO_PLUGIN}/post/callback`
  const b = browser(app, HOST)
  const off = await deliver(app, b, idp.unsolicited(callback, '/hardware'))
  t.equal(off.statusCode, 403)
  t.match(await lastSignIn(app, acme.id), { details: { reason: 'unsolicited' } })

  await enableFixtureSso(app, acme.id, idp, { allowIdpInitiated: true })
  const on = await deliver(app, b, idp.unsolicited(callback, '/hardware'))
  t.equal(on.statusCode, 303)
  const stolen = await browser(app, HOST).get(String(on.headers.location))
  t.equal(stolen.statusCode, 403, 'the continuation in another browser')
  const again = await deliver(app, b, idp.unsolicited(callback, '//evil.example'))
  const done = await b.get(String(again.headers.location))
  t.equal(done.statusCode, 303)
  t.equal(done.headers.location, '/', 'RelayState is a path of the workspace or nothing')
  const toPage = await deliver(app, b, idp.unsolicited(callback, '/hardware'))
  t.equal((await b.get(String(toPage.headers.location))).headers.location, '/hardware')
  await enableFixtureSso(app, acme.id, idp)
})

t.test('the callback\'s query and form (the provider\'s proof) are never logged', async t => {
  const lines: string[] = []
  const logged = await buildTestApp(t, {}, { plugins, logger: { level: 'debug', stream: { write: (line: string) => { lines.push(line) } } } })
  const ws = await logged.workspace('acme')
  await enableFixtureSso(logged.app, ws.id, idp)
  await logged.app.db('users').insert({ workspace_id: ws.id, email: 'pat@acme.test', role: 'employee' })
  for (const method of ['get', 'post'] as const) {
    const run = await ssoSignIn(logged.app, browser(logged.app, HOST), idp, { method })
    t.equal(run.final.statusCode, 303, method)
    const secrets = [run.answer.params.assertion, run.answer.params.state ?? run.answer.params.RelayState, String(run.callback.headers.location).split('token=')[1]].filter(Boolean)
    for (const secret of secrets) t.notOk(lines.some(line => line.includes(secret!)), `${method}: not in the log`)
  }
  t.ok(lines.some(line => line.includes('/sign-in/sso/fixture-sso/get/callback?[not logged]')), 'the path is logged')

  const broken = await logged.workspace('broken')
  await enableFixtureSso(logged.app, broken.id, idp, { brokenMethods: true })
  t.equal((await browser(logged.app, 'broken.localhost').get('/sign-in')).statusCode, 200)
  t.ok(lines.some(line => line.includes('could not list its methods') && line.includes('fixture-sso') && line.includes('the identity provider list is unreadable')), 'a plugin whose methods throw is logged')
})

t.test('the callback needs no CSRF token; other posts still do', async t => {
  const b = browser(app, HOST)
  const start = await b.get(`/sign-in/sso/${SSO_PLUGIN}/post`)
  const answer = idp.answer(String(start.headers.location))
  const res = await crossSitePost(app, b, new URL(answer.callback).pathname, answer.params)
  t.equal(res.statusCode, 303, 'no CSRF refusal for the provider\'s POST')
  const other = await app.inject({ method: 'POST', url: '/sign-in', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a%40b.c&password=x' })
  t.equal(other.statusCode, 403, 'other posts are still CSRF-checked')
})

t.test('rate limit per address on start and callback; the bare host goes to the workspace\'s address', async t => {
  const limited = await buildTestApp(t, { STOCKTAKE_SSO_RATE_LIMIT: '3' }, { plugins })
  const solo = await limited.workspace('solo')
  await enableFixtureSso(limited.app, solo.id, idp)
  const bare = await limited.app.inject({ method: 'GET', url: `/sign-in/sso/${SSO_PLUGIN}/get?next=%2Fpeople`, headers: { host: 'localhost:3000' } })
  t.equal(bare.statusCode, 303)
  t.equal(bare.headers.location, `http://solo.localhost:3000/sign-in/sso/${SSO_PLUGIN}/get?next=%2Fpeople`)
  const b = browser(limited.app, 'solo.localhost')
  t.equal((await b.get(`/sign-in/sso/${SSO_PLUGIN}/get`)).statusCode, 303)
  t.equal((await b.get(`/sign-in/sso/${SSO_PLUGIN}/get`)).statusCode, 303)
  const over = await b.get(`/sign-in/sso/${SSO_PLUGIN}/get`)
  t.equal(over.statusCode, 429)
  t.match(over.body, 'Too many sign-in attempts from your network')
  t.ok(over.headers['retry-after'])
  const rateLimited = () => limited.app.db('audit_log').where({ workspace_id: solo.id, action: 'auth.sign_in' }).whereRaw("details->>'reason' = 'rate_limited'")
  t.equal((await b.get(`/sign-in/sso/${SSO_PLUGIN}/get`)).statusCode, 429)
  const audited = await rateLimited()
  t.equal(audited.length, 1, 'audited once a minute per address, not per refused request')
  t.match(audited[0], { outcome: 'denied', details: { method: 'sso', provider: SSO_PLUGIN, idp: 'get' } })
  const fromElsewhere = await limited.app.inject({ method: 'GET', url: `/sign-in/sso/${SSO_PLUGIN}/get`, headers: { host: 'solo.localhost' }, remoteAddress: '10.1.2.3' })
  t.equal(fromElsewhere.statusCode, 303, 'another address is not limited')
  for (let i = 0; i < 3; i++) await b.get(`/sign-in/sso/${SSO_PLUGIN}/get/callback?state=x`)
  t.equal((await b.get(`/sign-in/sso/${SSO_PLUGIN}/get/callback?state=x`)).statusCode, 429, 'the callback too')
})
