import t, { type Test } from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn, type TestSession } from './helpers/session.ts'
import type { Role } from '../core/auth/roles.ts'

// Forms that mint a record or a secret answer with a redirect (303): a refresh of the page it
// leads to never mints a second one, and a secret shown once is carried to that page by a one-time
// reveal bound to the session, never in the URL or a cookie.

// Everything logged, at every level, to check that no secret is.
const logged: string[] = []
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' }, {
  logger: { level: 'trace', stream: { write: (line: string) => { logged.push(line) } } }
})
const acme = await workspace('acme')

async function addUser (role: Role, email: string) {
  const [row] = await app.db('users').insert({ workspace_id: acme.id, email, role }).returning('*')
  return row as { id: string }
}
const owner = await addUser('super-admin', 'sam@acme.test')
const employee = await addUser('employee', 'eve@acme.test')
const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })

const count = async (table: string) => Number((await app.db(table).where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)
const occurrences = (body: string, secret: string) => body.split(secret).length - 1

/** POST, then GET where it leads twice: one record, the secret on the first GET only. */
async function postThenGetTwice (t: Test, browser: TestSession, post: { url: string, form: Record<string, string | string[]> }, page: string, secretPattern: RegExp) {
  const res = await browser.post(post.url, post.form)
  t.equal(res.statusCode, 303, 'a redirect after the POST')
  t.equal(res.headers.location?.split('#')[0], page)
  t.notMatch(res.body, secretPattern, 'the secret is not in the answer to the POST')
  t.notMatch(String(res.headers.location), secretPattern, 'nor in the URL')
  t.notMatch(JSON.stringify(res.cookies), secretPattern, 'nor in a cookie')
  const waiting = await app.db('one_time_reveals').where({ workspace_id: acme.id }).select('*')
  t.equal(waiting.length, 1, 'it waits for the next page')
  t.notMatch(JSON.stringify(waiting), secretPattern, 'encrypted')

  const first = await browser.get(page)
  t.equal(first.statusCode, 200)
  const secret = first.body.match(secretPattern)?.[0]
  t.ok(secret, 'the page the redirect leads to shows the secret')
  t.equal(occurrences(first.body, secret!), 1, 'once')
  t.equal(first.headers['cache-control'], 'no-store', 'and is not cached')

  const again = await browser.get(page)
  t.equal(again.statusCode, 200)
  t.notMatch(again.body, secretPattern, 'a refresh no longer shows it')
  t.ok(logged.length > 0, 'the requests were logged')
  t.notOk(logged.some(line => line.includes(secret!.replace('&#x3D;', '='))), 'the secret is in no log line')
  return secret!
}

t.test('API token: POST, GET, GET → one token, its secret shown once', async t => {
  const browser = await as(owner)
  const secret = await postThenGetTwice(t, browser, { url: '/settings/api/tokens', form: { name: 'Inventory sync' } }, '/settings/api', /stk_[0-9A-Za-z]{43}/)
  t.equal(await count('api_tokens'), 1, 'one token')
  t.equal((await app.inject({ url: '/api/hardware', headers: { authorization: `Bearer ${secret}` } })).statusCode, 200, 'the secret shown is the token')
  t.equal(await count('one_time_reveals'), 0, 'nothing of it is left waiting')
})

t.test('webhook: POST, GET, GET → one subscription, its signing secret shown once', async t => {
  const browser = await as(owner)
  await postThenGetTwice(t, browser, { url: '/settings/api/webhooks', form: { url: 'http://127.0.0.1:9/hook', events: ['*'] } }, '/settings/api', /whsec_[A-Za-z0-9+/]{43}(?:=|&#x3D;)/)
  t.equal((await app.webhooks.list(acme.id)).length, 1, 'one subscription')
})

t.test('SCIM token: POST, GET, GET → one token, its secret shown once', async t => {
  const browser = await as(owner)
  const before = Number((await app.db('api_tokens').where({ workspace_id: acme.id, kind: 'scim' }).count({ n: '*' }))[0].n)
  await postThenGetTwice(t, browser, { url: '/settings/scim/tokens', form: { name: 'Okta' } }, '/settings/scim', /stk_scim_[0-9A-Za-z]{43}/)
  const after = Number((await app.db('api_tokens').where({ workspace_id: acme.id, kind: 'scim' }).count({ n: '*' }))[0].n)
  t.equal(after - before, 1, 'one SCIM token')
})

t.test('a secret waits for the session that minted it only, and not for ever', async t => {
  const minter = await as(owner)
  const elsewhere = await as(owner)
  t.equal((await minter.post('/settings/api/tokens', { name: 'Mine' })).statusCode, 303)
  t.notMatch((await elsewhere.get('/settings/api')).body, /stk_[0-9A-Za-z]{43}/, 'another session of the same person sees no secret')
  await app.db('one_time_reveals').where({ workspace_id: acme.id }).update({ expires_at: app.db.raw("now() - interval '1 second'") })
  t.notMatch((await minter.get('/settings/api')).body, /stk_[0-9A-Za-z]{43}/, 'an expired one is not shown')
  t.equal(await count('one_time_reveals'), 0, 'and is deleted')
})

t.test('a refused form is not a redirect: it comes back with its errors, and nothing is minted', async t => {
  const browser = await as(owner)
  const before = await count('api_tokens')
  const res = await browser.post('/settings/api/tokens', { name: '' })
  t.equal(res.statusCode, 422)
  t.equal(await count('api_tokens'), before)
})

t.test('asset request: POST, GET, GET → one request', async t => {
  const browser = await as(employee)
  const before = await count('asset_requests')
  const res = await browser.post('/requests', { category: 'laptop', description: 'Mine broke' })
  t.equal(res.statusCode, 303)
  const page = res.headers.location!
  t.match(page, /^\/requests\/[0-9a-f-]{36}$/)
  t.match((await browser.get(page)).body, 'Request sent.')
  t.notMatch((await browser.get(page)).body, 'Request sent.', 'the message is shown once')
  t.equal(await count('asset_requests'), before + 1, 'one request')
})
