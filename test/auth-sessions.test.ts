import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { browser, type TestSession } from './helpers/session.ts'
import { setPassword } from '../core/auth/set-password.ts'

// Page sessions are rows on the server: signing out ends the one session at once, whatever the
// browser keeps; and a CSRF token is good only with the session it was issued to.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { add, as } = members(app, acme)
const admin = await add('admin', 'ada@acme.test')
const employee = await add('employee', 'eve@acme.test')

/** A request with exactly these cookies, as a replaying attacker would send it. */
async function withCookies (cookies: Map<string, string>, opts: { method?: 'GET' | 'POST', url: string, form?: Record<string, string> }) {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined
  return await app.inject({
    method: opts.method ?? 'GET',
    url: opts.url,
    payload: body,
    headers: {
      host: 'acme.localhost',
      cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {})
    }
  })
}

const sessionRows = async (userId: string) => await app.db('sessions').where({ workspace_id: acme.id, user_id: userId })

t.test('sign-out ends the session on the server: its cookie replayed afterwards is signed out', async t => {
  const laptop = await as(admin)
  const phone = await as(admin)
  const stolen = new Map(laptop.cookies)
  t.equal((await withCookies(stolen, { url: '/' })).statusCode, 200, 'the copied cookie works while signed in')

  const out = await laptop.post('/sign-out', {})
  t.equal(out.statusCode, 303)
  const replayed = await withCookies(stolen, { url: '/' })
  t.equal(replayed.statusCode, 303, 'the same cookie, sent again after sign-out, is not a session')
  t.match(replayed.headers.location, /^\/sign-in/)
  t.equal((await withCookies(stolen, { url: '/settings/api' })).statusCode, 303)
  t.equal((await phone.get('/')).statusCode, 200, 'the other device stays signed in')
  t.equal((await sessionRows(admin.id)).length, 1, 'one row per signed-in browser: only the signed-out one is gone')
})

t.test('setting a password ends every earlier session; the browser that set it continues', async t => {
  const user = await add('employee', 'pat@acme.test')
  const first = await as(user)
  const second = await as(user)
  const changed = await first.post('/account/password', { new_password: 'a new long passphrase', confirm_password: 'a new long passphrase' })
  t.equal(changed.statusCode, 303)
  t.equal((await first.get('/account')).statusCode, 200, 'a fresh session for the browser that set it')
  t.equal((await second.get('/account')).statusCode, 303, 'the other one is signed out at once (no wait for the next second)')

  await setPassword(app, 'acme', 'pat@acme.test', 'yet another passphrase')
  t.equal((await first.get('/account')).statusCode, 303, 'the command line ends them too')
  t.equal((await sessionRows(user.id)).length, 0)
})

t.test('a session past its expiry is refused, and expired rows are pruned at the next sign-in', async t => {
  const user = await add('employee', 'old@acme.test')
  const session = await as(user)
  await app.db('sessions').where({ workspace_id: acme.id, user_id: user.id }).update({ expires_at: app.db.raw("now() - interval '1 second'") })
  t.equal((await session.get('/')).statusCode, 303, 'an expired row does not open the pages, whatever the cookie says')
  t.equal((await sessionRows(user.id)).length, 1)
  await as(admin)
  t.equal((await sessionRows(user.id)).length, 0, 'pruned when someone signs in')
})

t.test('a CSRF token is good only with the session it was issued to', async t => {
  const adminBrowser = await as(admin)
  const employeeBrowser = await as(employee)
  const employeeToken = await employeeBrowser.csrfToken()

  // The employee's CSRF cookie and token, sent with the admin's session cookie.
  const mixed = new Map(employeeBrowser.cookies)
  mixed.set('stocktake_session', adminBrowser.cookies.get('stocktake_session')!)
  const refused = await withCookies(mixed, { method: 'POST', url: '/settings/api/tokens', form: { name: 'Planted', _csrf: employeeToken } })
  t.equal(refused.statusCode, 403)
  t.match(refused.body, /Form expired/)
  t.equal(await app.db('api_tokens').where({ workspace_id: acme.id, name: 'Planted' }).first(), undefined, 'nothing was created')

  const anonymous = browser(app, 'acme.localhost')
  const signInToken = await anonymous.csrfToken('/sign-in')
  const fromSignIn = new Map(anonymous.cookies)
  fromSignIn.set('stocktake_session', adminBrowser.cookies.get('stocktake_session')!)
  t.equal((await withCookies(fromSignIn, { method: 'POST', url: '/settings/api/tokens', form: { name: 'Planted', _csrf: signInToken } })).statusCode, 403,
    'nor is a token of the anonymous sign-in page')

  const own = await adminBrowser.post('/settings/api/tokens', { name: 'Own' })
  t.equal(own.statusCode, 303, "the admin's own token works")
  const htmx = await adminBrowser.inject({
    method: 'POST',
    url: '/sign-out',
    headers: { 'hx-request': 'true', 'x-csrf-token': await adminBrowser.csrfToken() }
  })
  t.equal(htmx.statusCode, 204, 'as a header (htmx), too')

  const signedOut: TestSession = browser(app, 'acme.localhost')
  t.equal((await signedOut.post('/sign-in', { email: 'nobody@acme.test', password: 'whatever it is' })).statusCode, 401, 'the anonymous sign-in form still posts')
})
