import t from 'tap'
import { browser } from './helpers/session.ts'
import { peopleFixture } from './helpers/people-pages.ts'

// "Send sign-in link" on a person's page and the People list: who may mint a link for whom, what
// the dialog shows, the audit entries, and that the link works once. Browser: browser-invite.test.ts.

const { app, acme, ada, sue, eli, pat, olly, stranger, asAdmin, asSue, asEli } = await peopleFixture(t)
const HTMX = { headers: { 'hx-request': 'true' } }
const LINK = /value="(http:\/\/acme\.localhost:3000\/sign-in\/link\/([^"]+))"/

const linksOf = async (userId: string) => await app.db('sign_in_links').where({ workspace_id: acme.id, user_id: userId })
const entries = async (targetId: string) => await app.db('audit_log')
  .where({ workspace_id: acme.id, action: 'auth.sign_in_link_created', target_id: targetId }).orderBy('id')

t.test('an admin sends an employee a link: shown once in a dialog, audited without the link, usable once', async t => {
  const res = await asAdmin.post(`/people/${eli.id}/sign-in-link`, {}, HTMX)
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'no-store', 'no cache keeps it')
  t.notMatch(res.body, '<html', 'a fragment for htmx')
  t.match(res.body, /<dialog class="modal-dialog"[^>]* data-modal hx-history="false">/, 'a modal htmx keeps no copy of')
  t.match(res.body, 'Sign-in link for Eli Employee')
  t.match(res.body, /<button type="button" class="button" data-copy="sign-in-link-url">Copy<\/button>/)
  t.match(res.body, 'Stocktake does not send email yet', 'says how it reaches them')
  const [, url, token] = LINK.exec(res.body) ?? []
  t.ok(token, 'the link is on the page')

  const [entry] = await entries(eli.id)
  t.match(entry, { actor_id: ada.id, actor_label: 'ada@acme.test', target_type: 'person', target_label: 'Eli Employee', outcome: 'success' }, 'names who minted it for whom')
  t.notMatch(JSON.stringify(entry), token, 'never the link')
  t.ok(new Date(entry.details.expires_at).getTime() - Date.now() > 23 * 3600_000, 'valid for a day')

  const invited = browser(app, 'acme.localhost')
  const first = await invited.get(new URL(url).pathname)
  t.equal(first.statusCode, 303, 'the link signs them in')
  t.match((await invited.get('/')).body, 'Eli Employee')
  const again = await browser(app, 'acme.localhost').get(new URL(url).pathname)
  t.equal(again.statusCode, 410, 'the second use fails')
  t.match(again.body, 'This sign-in link was already used or has expired.')
  t.match(again.body, 'Ask your IT admin to send you a new one', 'and says what to do')
})

t.test('a new link replaces the person\'s unused ones', async t => {
  const tokens = []
  for (let i = 0; i < 2; i++) tokens.push(LINK.exec((await asAdmin.post(`/people/${pat.id}/sign-in-link`, {}, HTMX)).body)![2])
  t.equal((await browser(app, 'acme.localhost').get(`/sign-in/link/${tokens[0]}`)).statusCode, 410, 'the earlier link stopped working')
  t.equal((await browser(app, 'acme.localhost').get(`/sign-in/link/${tokens[1]}`)).statusCode, 303, 'the newest works')
})

t.test('an admin may not mint a link for a super admin: 403 with the reason, audited as denied', async t => {
  const before = (await linksOf(sue.id)).length
  const res = await asAdmin.post(`/people/${sue.id}/sign-in-link`, {}, HTMX)
  t.equal(res.statusCode, 403)
  t.match(res.body, 'Only someone with the Super admin role can send Sue Super a sign-in link')
  t.match(res.body, 'at most your own (Admin)')
  t.notMatch(res.body, '/sign-in/link/')
  t.equal((await linksOf(sue.id)).length, before, 'no link made')
  const [denied] = await entries(sue.id)
  t.match(denied, { actor_id: ada.id, outcome: 'denied', details: { reason: 'role_above_minter', role: 'super-admin' } })

  const page = await asAdmin.get(`/people/${sue.id}`)
  t.notMatch(page.body, `hx-post="/people/${sue.id}/sign-in-link"`, 'her page offers no button to this admin')
  t.match(page.body, 'Only a Super admin can send Sue Super a sign-in link.')
})

t.test('a super admin may send anyone a link, an admin the people of their rank or below', async t => {
  t.equal((await asSue.post(`/people/${ada.id}/sign-in-link`, {}, HTMX)).statusCode, 201)
  t.equal((await asSue.post(`/people/${sue.id}/sign-in-link`, {}, HTMX)).statusCode, 201, 'themself too')
  const itAdmin = await app.registry.people.create(acme.id, { type: 'system', label: 'test' }, { email: 'ivy@acme.test', first_name: 'Ivy', role: 'it-admin' })
  t.equal((await asAdmin.post(`/people/${itAdmin.id}/sign-in-link`, {}, HTMX)).statusCode, 201, 'an admin for an IT admin: the same powers')
})

t.test('employees cannot mint, another workspace\'s person is not found, a leaver gets no link, CSRF is required', async t => {
  const before = await app.db('sign_in_links').where({ workspace_id: acme.id }).count({ n: '*' }).first()
  const employee = await asEli.post(`/people/${eli.id}/sign-in-link`, {}, HTMX)
  t.equal(employee.statusCode, 403, 'not even for themself')
  t.match(employee.body, 'This action needs one of these roles')
  t.equal((await asAdmin.post(`/people/${stranger.id}/sign-in-link`, {}, HTMX)).statusCode, 404)
  const leaver = await asAdmin.post(`/people/${olly.id}/sign-in-link`, {}, HTMX)
  t.equal(leaver.statusCode, 409)
  t.match(leaver.body, 'Olly Gone is offboarded, so a sign-in link would not work.')
  t.equal((await asAdmin.post(`/people/${eli.id}/sign-in-link`, {}, { csrf: false, ...HTMX })).statusCode, 403, 'no CSRF token, no link')
  t.same(await app.db('sign_in_links').where({ workspace_id: acme.id }).count({ n: '*' }).first(), before, 'none was made')
  t.equal((await asAdmin.get(`/people/${olly.id}`)).body.includes('sign-in-link"'), false, 'a leaver\'s page offers none')
})

t.test('the person\'s page and the People list offer the button where the admin may use it', async t => {
  const page = await asAdmin.get(`/people/${eli.id}`)
  t.match(page.body, new RegExp(`<button type="button" class="button" hx-post="/people/${eli.id}/sign-in-link" hx-target="body" hx-swap="beforeend" hx-disabled-elt="this">Send sign-in link</button>`))
  t.notMatch((await asEli.get(`/people/${eli.id}`)).body, 'Send sign-in link', 'not on an employee\'s own page')
  const list = await asAdmin.get('/people?q=acme.test')
  t.match(list.body, new RegExp(`hx-post="/people/${eli.id}/sign-in-link"[^>]*>Send sign-in link<span class="visually-hidden"> to Eli Employee</span>`))
  t.notMatch(list.body, `hx-post="/people/${sue.id}/sign-in-link"`, 'not for a super admin')
  t.notMatch(list.body, `hx-post="/people/${olly.id}/sign-in-link"`, 'nor for a leaver')
})

t.test('the sign-in page tells people where a link comes from', async t => {
  const page = await browser(app, 'acme.localhost').get('/sign-in')
  t.match(page.body, 'Ask your IT admin to send you a sign-in link from your page in Stocktake.')
  t.notMatch(page.body, 'whoever runs this Stocktake server', 'not the operator\'s shell, which a colleague cannot reach')
})

t.test('while the workspace requires single sign-on, links are offered and made only for super admins, and the page says why', async t => {
  await app.db('workspaces').where({ id: acme.id }).update({ require_sso: true })
  t.teardown(async () => { await app.db('workspaces').where({ id: acme.id }).update({ require_sso: false }) })
  const before = (await linksOf(eli.id)).length

  const page = await asAdmin.get(`/people/${eli.id}`)
  t.notMatch(page.body, `hx-post="/people/${eli.id}/sign-in-link"`, 'no button the sign-in would refuse')
  t.match(page.body, 'Eli Employee signs in with single sign-on: this workspace requires it, so sign-in links work only for super admins.')
  const list = await asAdmin.get('/people?q=acme.test')
  t.notMatch(list.body, `hx-post="/people/${eli.id}/sign-in-link"`, 'nor on the list')
  t.match(list.body, /<span class="muted">Single sign-on<\/span>/, 'whose Sign-in column says how they sign in')

  const res = await asAdmin.post(`/people/${eli.id}/sign-in-link`, {}, HTMX)
  t.equal(res.statusCode, 409, 'a link asked for anyway is refused')
  t.match(res.body, 'Eli Employee signs in with single sign-on: this workspace requires it (Settings → Sign-in), so a sign-in link would not work for them.')
  t.notMatch(res.body, '/sign-in/link/')
  t.equal((await linksOf(eli.id)).length, before, 'and none is made')
  t.equal((await asSue.post(`/people/${ada.id}/sign-in-link`, {}, HTMX)).statusCode, 409, 'not even by a super admin for an admin')

  const superPage = await asSue.get(`/people/${sue.id}`)
  t.match(superPage.body, `hx-post="/people/${sue.id}/sign-in-link"`, 'a super admin\'s link (break-glass) is still offered')
  const made = await asSue.post(`/people/${sue.id}/sign-in-link`, {}, HTMX)
  t.equal(made.statusCode, 201)
  t.equal((await browser(app, 'acme.localhost').get(new URL(LINK.exec(made.body)![1]).pathname)).statusCode, 303, 'and signs her in')
})
