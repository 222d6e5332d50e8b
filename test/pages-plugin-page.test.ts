import t from 'tap'
import { fileURLToPath } from 'node:url'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { discoverPlugins } from '../core/integrations/index.ts'

// The page capability of a `configure: page` plugin the core does not host itself (the fixture
// plugin "Fixture Desk"): its card leads to a page with its settings form and, below, the
// plugin's part, whose form posts an action the core checks, runs, audits and answers.

const fixture = fileURLToPath(new URL('./fixtures/page-plugin/', import.meta.url))
const plugins = await discoverPlugins({ builtinDir: null, pluginDirs: [fixture] })
const { app, workspace } = await buildTestApp(t, {}, { plugins })
const acme = await workspace('acme')
const other = await workspace('other')
const { add, as } = members(app, acme)
const admin = await as(await add('admin', 'ada@acme.test'))
const employee = await as(await add('employee', 'eve@acme.test'))
const PAGE = '/settings/integrations/fixture-desk'

t.test('the card leads to the plugin\'s page: its settings form, then its own part', async t => {
  const cards = await admin.get('/settings/integrations')
  t.match(cards.body, `href="${PAGE}"`)
  const page = await admin.get(PAGE)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h1>Fixture Desk</h1>')
  t.match(page.body, /<label[^>]*for="[^"]*team[^"]*"[^>]*>Team/i, 'the settings form')
  t.match(page.body, '<h2 id="replies-heading">Canned replies</h2>')
  t.match(page.body, 'No canned replies yet.')
  t.match(page.body, `<form method="post" action="${PAGE}/actions/add-reply">`)
  t.match(page.body, /name="_csrf" value="[^"]+"/)
})

t.test('an action refused shows the field\'s error with what was typed; nothing is stored', async t => {
  const empty = await admin.post(`${PAGE}/actions/add-reply`, { reply: '' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, '<input id="canned-reply" name="reply" value="" aria-invalid="true" aria-describedby="canned-reply-error">')
  t.match(empty.body, '<p class="field-error" id="canned-reply-error">Write the reply to add.</p>')
  const long = await admin.post(`${PAGE}/actions/add-reply`, { reply: 'x'.repeat(51) })
  t.equal(long.statusCode, 422)
  t.match(long.body, `value="${'x'.repeat(51)}"`)
  t.match(long.body, 'A reply is at most 50 characters.')
  t.match(long.body, 'Team', 'still the whole page')
  t.match((await admin.get(PAGE)).body, 'No canned replies yet.')
})

t.test('an action that works is audited, redirects with its message, and can update the card\'s count', async t => {
  const res = await admin.post(`${PAGE}/actions/add-reply`, { reply: 'Have you tried turning it off and on?' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, PAGE)
  const page = await admin.get(PAGE)
  t.match(page.body, 'Added “Have you tried turning it off and on?”.')
  t.match(page.body, '<li>Have you tried turning it off and on?</li>')
  t.match((await admin.get('/settings/integrations')).body, '1 reply')
  const entry = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.page_action' }).first()
  t.match(entry, { actor_label: 'ada@acme.test', target_id: 'fixture-desk', details: { action: 'add-reply', result: 'Added “Have you tried turning it off and on?”.' } })

  const otherAdmin = await members(app, other).as(await members(app, other).add('admin', 'ola@other.test'))
  t.match((await otherAdmin.get(PAGE)).body, 'No canned replies yet.', 'another workspace has its own')
})

t.test('settings are saved on the same page; only admins reach it; unknown actions are 404', async t => {
  const saved = await admin.post(PAGE, { team: 'Service desk', enabled: 'true' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, PAGE)
  const page = await admin.get(PAGE)
  t.match(page.body, 'Fixture Desk: saved.')
  t.match(page.body, 'Canned replies', 'the plugin\'s part stays on the page')
  t.match(await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'fixture-desk' }).first(), { enabled: true, settings: { team: 'Service desk' } })
  t.equal((await employee.get(PAGE)).statusCode, 403)
  t.equal((await employee.post(`${PAGE}/actions/add-reply`, { reply: 'Hi' })).statusCode, 403)
  t.equal((await admin.post(`${PAGE}/actions/remove-everything`, {})).statusCode, 404)
  t.equal((await admin.post(`${PAGE}/actions/add-reply`, { reply: 'Hi' }, { csrf: false })).statusCode, 403)
})

t.test('a page action gives no role its admin could not give: only a super admin\'s action may change one', async t => {
  const { add: addMember, as: signedIn } = members(app, acme)
  const pat = await addMember('employee', 'pat@acme.test')
  const refused = await admin.post(`${PAGE}/actions/make-it-admin`, { person: pat.id })
  t.equal(refused.statusCode, 422)
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.page_action' }).whereRaw("details->>'action' = 'make-it-admin'").first(), undefined, 'a refused action is not recorded as done')
  t.equal((await app.db('users').where({ id: pat.id }).first()).role, 'employee', 'the role is unchanged')
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', target_id: pat.id }).first(), undefined)

  const owner = await signedIn(await addMember('super-admin', 'sam@acme.test'))
  const allowed = await owner.post(`${PAGE}/actions/make-it-admin`, { person: pat.id })
  t.equal(allowed.statusCode, 303)
  t.equal((await app.db('users').where({ id: pat.id }).first()).role, 'it-admin')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', target_id: pat.id }).first(), { actor_label: 'sam@acme.test' })
})
