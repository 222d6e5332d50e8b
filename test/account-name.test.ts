import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { browser, signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'

// Your account: a person sets their own name (trimmed, the first name required, a length limit, no
// control characters), each refusal beside its field, the change audited as made by them.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const eve = await app.registry.people.create(acme.id, systemActor, { email: 'eve@acme.test', role: 'employee' })
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: eve.id })
const stored = async () => await app.registry.people.get(acme.id, eve.id)

t.test('an employee without a name sets theirs: trimmed, saved, audited as theirs', async t => {
  const before = await session.get('/account')
  t.match(before.body, /<input id="first_name" name="first_name" type="text" autocomplete="given-name" maxlength="255" required value="">/)
  t.match(before.body, /<span class="whoami"><a href="\/account"[^>]*>eve@acme\.test<\/a>/, 'shown by email until then')

  const res = await session.post('/account/name', { first_name: '  Eve ', last_name: ' Ng  ' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/account')
  t.match(await stored(), { first_name: 'Eve', last_name: 'Ng' })
  const after = await session.get('/account')
  t.match(after.body, 'Name saved.')
  t.match(after.body, /<span class="whoami"><a href="\/account"[^>]*>Eve Ng<\/a>/, 'the header names them')
  t.match(after.body, 'value="Eve"')

  const [entry] = await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.updated', target_id: eve.id })
  t.match(entry, { actor_id: eve.id, actor_label: 'eve@acme.test', changes: { first_name: { old: null, new: 'Eve' }, last_name: { old: null, new: 'Ng' } } })

  t.equal((await session.post('/account/name', { first_name: 'Eve', last_name: '' })).statusCode, 303, 'the last name is optional')
  t.equal((await stored()).last_name, null, 'and cleared when left empty')
})

t.test('a name that breaks a rule is refused beside its field, with what was typed kept and nothing written', async t => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ first_name: '   ', last_name: 'Ng' }, 'first_name', /Enter your first name\./],
    [{ first_name: 'E'.repeat(256), last_name: '' }, 'first_name', /First name must be at most 255 characters \(it has 256\)\./],
    [{ first_name: 'Eve\tNg', last_name: '' }, 'first_name', /First name must not contain control characters such as tabs or line breaks\./],
    [{ first_name: 'Eve', last_name: 'Ng\nDROP' }, 'last_name', /Last name must not contain control characters/],
    [{ first_name: 'Eve\u0000', last_name: '' }, 'first_name', /First name must not contain control characters/],
    [{ first_name: 'Eve', last_name: 'Ng\u2028Lee' }, 'last_name', /Last name must not contain control characters/]
  ]
  const version = (await stored()).version
  for (const [form, field, message] of cases) {
    const res = await session.post('/account/name', form)
    t.equal(res.statusCode, 422, `refused: ${message.source.slice(0, 40)}`)
    t.match(res.body, new RegExp(`<p class="field-error" id="${field}-error">${message.source}`), `the message is beside ${field}`)
    t.match(res.body, new RegExp(`id="${field}"[^>]* aria-invalid="true" aria-describedby="${field}-error"`), `${field} is marked invalid`)
  }
  const kept = await session.post('/account/name', { first_name: '', last_name: 'Kept' })
  t.match(kept.body, 'value="Kept"', 'what was typed stays in the form')
  t.equal((await stored()).version, version, 'nothing was written')
})

t.test('it needs a session and the form\'s CSRF token', async t => {
  t.equal((await session.post('/account/name', { first_name: 'Mallory' }, { csrf: false })).statusCode, 403)
  t.equal((await browser(app, 'acme.localhost').post('/account/name', { first_name: 'Mallory' })).statusCode, 401)
  t.not((await stored()).first_name, 'Mallory')
})
