import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { browser, signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { issueSignInLink } from '../core/auth/sign-in-links.ts'
import { setPassword } from '../core/auth/set-password.ts'
import { MAX_FAILED_SIGN_INS } from '../core/auth/sign-in-limit.ts'

const PASSWORD = 'correct horse battery staple'

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t)
  const workspace = await ctx.workspace('acme')
  const admin = await ctx.app.registry.people.create(workspace.id, systemActor, { email: 'Admin@Acme.test', role: 'admin' })
  await setPassword(ctx.app, 'acme', 'admin@acme.test', PASSWORD)
  return { ...ctx, ws: workspace, admin }
}

const auditOf = (app: Awaited<ReturnType<typeof setup>>['app'], wsId: string, action: string) =>
  app.db('audit_log').where({ workspace_id: wsId, action }).orderBy('id')

t.test('password sign-in: success, failure, safe redirect, audit', async t => {
  const { app, ws } = await setup(t)
  const b = browser(app, 'acme.localhost')

  const wrong = await b.post('/sign-in', { email: 'admin@acme.test', password: 'not it' })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, /That email and password do not match an active account/)
  t.match(wrong.body, /value="admin@acme.test"/, 'the form keeps the email typed')
  t.notOk(b.cookies.has('stocktake_session'))

  const empty = await b.post('/sign-in', { email: '', password: '' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Enter your email address/)

  const nul = await b.post('/sign-in', { email: 'admin@acme.test\u0000', password: 'not it' })
  t.equal(nul.statusCode, 422, 'an email PostgreSQL cannot compare is a form error, not a query')
  t.match(nul.body, /it must not contain NUL characters/)
  t.match(nul.body, /value="admin@acme.test\\u0000"/, 'the form shows what was typed, the NUL escaped')

  const ok = await b.post('/sign-in', { email: 'ADMIN@acme.test', password: PASSWORD, next: '//evil.example/x' })
  t.equal(ok.statusCode, 303)
  t.equal(ok.headers.location, '/', 'an off-site next is ignored')
  t.ok(b.cookies.has('stocktake_session'))
  const cookie = ok.cookies.find(c => c.name === 'stocktake_session')!
  t.equal(cookie.httpOnly, true)
  t.equal(cookie.sameSite, 'Lax')
  t.equal((await b.get('/')).statusCode, 200)

  const entries = await auditOf(app, ws.id, 'auth.sign_in')
  t.same(entries.map(e => e.outcome), ['failure', 'success'])
  t.equal(entries[0].details.reason, 'bad_password')
  t.equal(entries[1].actor_label, 'admin@acme.test')
})

t.test('failed sign-ins are limited per email and audited as denied', async t => {
  const { app, ws } = await setup(t)
  const b = browser(app, 'acme.localhost')
  for (let i = 0; i < MAX_FAILED_SIGN_INS; i++) {
    t.equal((await b.post('/sign-in', { email: 'admin@acme.test', password: `guess ${i}` })).statusCode, 401)
  }
  const limited = await b.post('/sign-in', { email: 'admin@acme.test', password: PASSWORD })
  t.equal(limited.statusCode, 429, 'even the right password waits once the limit is hit')
  t.match(limited.body, /Too many failed attempts/)
  t.notOk(b.cookies.has('stocktake_session'))
  const denied = await app.db('audit_log').where({ workspace_id: ws.id, action: 'auth.sign_in', outcome: 'denied' })
  t.equal(denied.length, 1)
  t.equal(denied[0].details.reason, 'rate_limited')
})

t.test('one-time links: used once, expire, and refuse inactive people', async t => {
  const { app, ws, admin } = await setup(t)
  const token = await issueSignInLink(app.db, ws.id, admin.id)
  t.equal((await browser(app, 'acme.localhost').get(`/sign-in/link/${token}`)).statusCode, 303)
  t.equal((await browser(app, 'acme.localhost').get(`/sign-in/link/${token}`)).statusCode, 410)

  const expired = await issueSignInLink(app.db, ws.id, admin.id, -1)
  const res = await browser(app, 'acme.localhost').get(`/sign-in/link/${expired}`)
  t.equal(res.statusCode, 410)
  t.match(res.body, /already used or has expired/)

  const leaver = await app.registry.people.create(ws.id, systemActor, { email: 'leaver@acme.test' })
  const leaverLink = await issueSignInLink(app.db, ws.id, leaver.id)
  await app.registry.people.offboard(ws.id, systemActor, leaver.id)
  t.equal((await browser(app, 'acme.localhost').get(`/sign-in/link/${leaverLink}`)).statusCode, 410)
})

t.test('sessions end on sign-out, on offboarding and when the password changes', async t => {
  const { app, ws, admin } = await setup(t)
  const session = await signIn(app, { slug: 'acme', workspaceId: ws.id, userId: admin.id })
  const other = await signIn(app, { slug: 'acme', workspaceId: ws.id, userId: admin.id })

  const noCsrf = await session.post('/sign-out', {}, { csrf: false })
  t.equal(noCsrf.statusCode, 403, 'a form post without the CSRF token is refused')
  t.match(noCsrf.body, /Form expired/)

  // Changing the password signs out every other session but keeps this one.
  const changed = await session.post('/account/password', { current_password: PASSWORD, new_password: 'a new long passphrase', confirm_password: 'a new long passphrase' })
  t.equal(changed.statusCode, 303)
  t.equal((await session.get('/account')).statusCode, 200, 'the session that changed it continues')
  t.equal((await other.get('/account')).statusCode, 303, 'the other session is signed out')

  const out = await session.post('/sign-out', {})
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, '/sign-in')
  t.equal((await session.get('/')).statusCode, 303)

  const employee = await app.registry.people.create(ws.id, systemActor, { email: 'emp@acme.test' })
  const empSession = await signIn(app, { slug: 'acme', workspaceId: ws.id, userId: employee.id })
  t.equal((await empSession.get('/')).statusCode, 200)
  await app.registry.people.offboard(ws.id, systemActor, employee.id)
  t.equal((await empSession.get('/')).statusCode, 303, 'offboarding ends the session at once')
})

t.test('account page: password rules are shown inline', async t => {
  const { app, ws } = await setup(t)
  const person = await app.registry.people.create(ws.id, systemActor, { email: 'new@acme.test' })
  const session = await signIn(app, { slug: 'acme', workspaceId: ws.id, userId: person.id })
  const page = await session.get('/account')
  t.match(page.body, /Set a password/)
  t.notMatch(page.body, /Current password/, 'no current password is asked when none is set')

  const short = await session.post('/account/password', { new_password: 'short', confirm_password: 'short' })
  t.equal(short.statusCode, 422)
  t.match(short.body, /New password must be at least 12 characters/)
  const differ = await session.post('/account/password', { new_password: 'long enough one', confirm_password: 'long enough two' })
  t.equal(differ.statusCode, 422)
  t.match(differ.body, /The two new passwords differ/)
  const user = await app.db('users').where({ id: person.id }).first()
  t.equal(user.password_hash, null, 'nothing was stored')

  const set = await session.post('/account/password', { new_password: 'long enough one', confirm_password: 'long enough one' })
  t.equal(set.statusCode, 303)
  const signedIn = await browser(app, 'acme.localhost').post('/sign-in', { email: 'new@acme.test', password: 'long enough one' })
  t.equal(signedIn.statusCode, 303)
  t.equal((await auditOf(app, ws.id, 'auth.password_set')).length, 2)
})
