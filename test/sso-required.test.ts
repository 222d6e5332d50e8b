// "Require single sign-on": a super-admin's workspace setting, offered only while a sign-in method
// is enabled. When on, password and one-time-link sign-in are refused for everyone but super-admins
// (who keep them as break-glass, audited as such).
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { browser, followRedirect } from './helpers/session.ts'
import { members } from './helpers/members.ts'
import { enableFixtureSso, lastSignIn, signInPlugins, ssoSignIn } from './helpers/sso.ts'
import { startFakeIdp } from './fixtures/sign-in-plugin/fake-idp.ts'
import { hashPassword } from '../core/auth/passwords.ts'
import { issueSignInLink } from '../core/auth/sign-in-links.ts'

const idp = await startFakeIdp()
t.teardown(idp.close)
const { app, workspace } = await buildTestApp(t, {}, { plugins: await signInPlugins() })
const acme = await workspace('acme')
const HOST = 'acme.localhost'
const { add, as } = members(app, acme)
const PASSWORD = 'correct horse battery staple'
const withPassword = async (role: 'super-admin' | 'admin' | 'employee', email: string) => {
  const user = await add(role, email)
  await app.db('users').where({ id: user.id }).update({ password_hash: await hashPassword(PASSWORD) })
  return user
}
const boss = await withPassword('super-admin', 'boss@acme.test')
const ann = await withPassword('admin', 'ann@acme.test')
const eve = await withPassword('employee', 'eve@acme.test')
const bossBrowser = await as(boss)
const required = async () => (await app.db('workspaces').where({ id: acme.id }).first('require_sso')).require_sso

const passwordSignIn = async (email: string, password = PASSWORD) => await browser(app, HOST).post('/sign-in', { email, password, next: '/' })

t.test('without an enabled sign-in method the setting is not offered and cannot be turned on', async t => {
  const page = await bossBrowser.get('/settings')
  t.match(page.body, 'No single sign-on method is enabled.')
  t.notMatch(page.body, 'name="require_sso"')
  const res = await bossBrowser.post('/settings/sign-in', { require_sso: 'on' })
  t.equal(res.statusCode, 303)
  t.match((await followRedirect(bossBrowser, res)).body, 'Single sign-on cannot be required: no sign-in method is enabled.')
  t.equal(await required(), false)
})

t.test('with a method enabled, only a super-admin can require it; admins see it read-only', async t => {
  await enableFixtureSso(app, acme.id, idp)
  const annBrowser = await as(ann)
  const annPage = await annBrowser.get('/settings')
  t.match(annPage.body, 'Only a super admin can change how people sign in.')
  t.match(annPage.body, /name="require_sso" value="on" aria-describedby="require-sso-hint" disabled/)
  t.equal((await annBrowser.post('/settings/sign-in', { require_sso: 'on' })).statusCode, 403)
  t.equal(await required(), false)

  const page = await bossBrowser.get('/settings')
  t.match(page.body, 'Single sign-on buttons on the sign-in page: “Sign in with Fixture IdP”, “Fixture SAML”.')
  const res = await bossBrowser.post('/settings/sign-in', { require_sso: 'on' })
  t.match((await followRedirect(bossBrowser, res)).body, 'Single sign-on is now required')
  t.equal(await required(), true)
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'workspace.updated' }).orderBy('id', 'desc').first(), { actor_label: 'boss@acme.test', changes: { require_sso: { old: false, new: true } } })
})

t.test('when required: passwords and links are refused for all but super-admins, who sign in as break-glass', async t => {
  const page = await browser(app, HOST).get('/sign-in')
  t.match(page.body, 'This workspace requires single sign-on. Email and password are for super-admins only.')

  const wrong = await passwordSignIn('eve@acme.test', 'not the password')
  t.equal(wrong.statusCode, 401, 'a wrong password learns nothing more than before')
  t.match(wrong.body, 'That email and password do not match an active account.')

  for (const email of ['eve@acme.test', 'ann@acme.test']) {
    const res = await passwordSignIn(email)
    t.equal(res.statusCode, 403, email)
    t.match(res.body, 'This workspace requires single sign-on: sign in with one of the buttons on the sign-in page.')
    t.match(res.body, 'Sign in with Fixture IdP', 'the page shows the buttons to use')
    t.notMatch(String(res.headers['set-cookie'] ?? ''), 'stocktake_session')
    t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { method: 'password', reason: 'sso_required' } })
  }

  const glass = await passwordSignIn('boss@acme.test')
  t.equal(glass.statusCode, 303)
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: boss.id, details: { method: 'password', break_glass: true } })

  const link = await browser(app, HOST).get(`/sign-in/link/${await issueSignInLink(app.db, acme.id, eve.id)}`)
  t.equal(link.statusCode, 403)
  t.match(link.body, 'Single sign-on required')
  t.match(await lastSignIn(app, acme.id), { outcome: 'denied', target_id: eve.id, details: { method: 'link', reason: 'sso_required' } })

  const bossLink = browser(app, HOST)
  t.equal((await bossLink.get(`/sign-in/link/${await issueSignInLink(app.db, acme.id, boss.id)}`)).statusCode, 303)
  t.ok(bossLink.cookies.has('stocktake_session'))
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { method: 'link', break_glass: true } })

  idp.user = { email: 'eve@acme.test', subject: 'sub-eve', groups: [] }
  const eveBrowser = browser(app, HOST)
  t.equal((await ssoSignIn(app, eveBrowser, idp)).callback.statusCode, 303, 'single sign-on works for everyone')
  t.match((await eveBrowser.get('/account')).body, 'A password does not sign you in while that is required.', 'their account page says so')
  t.notMatch((await bossBrowser.get('/account')).body, 'A password does not sign you in', 'not to a super-admin')
})

t.test('still required with every method switched off: the sign-in page says so above the form, and super-admins can still get in', async t => {
  await enableFixtureSso(app, acme.id, idp, {}, false)
  t.teardown(async () => { await enableFixtureSso(app, acme.id, idp) })
  const page = await browser(app, HOST).get('/sign-in')
  t.notMatch(page.body, 'Sign in with Fixture IdP', 'no buttons')
  t.match(page.body, /<p class="hint sso-required">This workspace requires single sign-on\. Email and password are for super-admins only\.<\/p>\s*<form method="post" action="\/sign-in"/, 'the note, right above the form')
  t.equal((await passwordSignIn('eve@acme.test')).statusCode, 403, 'the rule stays on')
  t.equal((await passwordSignIn('boss@acme.test')).statusCode, 303, 'a super-admin signs in to turn it off')
})

t.test('turned off, passwords work again for everyone', async t => {
  const res = await bossBrowser.post('/settings/sign-in', {})
  t.match((await followRedirect(bossBrowser, res)).body, 'Single sign-on is no longer required')
  t.equal(await required(), false)
  t.equal((await passwordSignIn('eve@acme.test')).statusCode, 303)
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { method: 'password' } })
  t.notOk((await lastSignIn(app, acme.id)).details.break_glass)
})
