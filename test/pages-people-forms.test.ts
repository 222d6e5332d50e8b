import t from 'tap'
import { systemActor } from '../core/audit/index.ts'
import { peopleFixture } from './helpers/people-pages.ts'

// Creating and editing people, offboarding and recovering what they hold, and what employees
// may see. The list and detail: pages-people.test.ts.

const { app, acme, people, hardware, ada, eli, quinn, pat, stranger, laptop, phone, patFigma, eliFigma, versionOn, asAdmin, asSue, asEli, counts } = await peopleFixture(t)

t.test('create', async t => {
  const form = await asAdmin.get('/people/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<fieldset class="form-section">\s*<legend>Name and email<\/legend>/)
  t.match(form.body, /<label for="person-email">Email<\/label>/)
  t.match(form.body, /<label for="person-manager">Manager <span class="muted">\(optional\)<\/span><\/label>/)
  t.match(form.body, /<datalist id="person-departments">[\s\S]*<option value="Design">/)
  t.match(form.body, '<option value="quinn@acme.test">Quinn Jones</option>', 'managers are suggested')
  t.notMatch(form.body, 'id="person-role"', 'an admin does not give roles')
  t.match((await asSue.get('/people/new')).body, /<select id="person-role" name="role"/, 'a super admin does')

  t.test('invalid input: inline errors beside each field, input kept, nothing written', async t => {
    const before = await counts()
    const res = await asAdmin.post('/people/new', {
      email: 'not-an-email', first_name: 'New <me>', start_date: '2024-05-01', end_date: '2024-04-01', manager: 'nobody@acme.test', job_title: 'Typed'
    })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The person was not saved. Correct the fields marked below.')
    t.match(res.body, /<input id="person-email" name="email" value="not-an-email" type="email" required aria-required="true" maxlength="320" aria-describedby="person-email-hint person-email-error" aria-invalid="true"/)
    t.match(res.body, /id="person-email-error">Email must be a valid email address\.<\/p>/)
    t.match(res.body, /id="person-manager-error">No one in this workspace has the name or email “nobody@acme.test”/)
    t.match(res.body, 'value="New &lt;me&gt;"', 'typed values are kept (escaped)')
    t.match(res.body, 'value="Typed"')
    t.same(await counts(), before, 'nothing written')

    const range = await asAdmin.post('/people/new', { email: 'new@acme.test', start_date: '2024-05-01', end_date: '2024-04-01' })
    t.match(range.body, /id="person-end-date-error">End date must be on or after the start date \(2024-05-01\)\./)
    const duplicate = await asAdmin.post('/people/new', { email: 'PAT@acme.test' })
    t.equal(duplicate.statusCode, 422)
    t.match(duplicate.body, /id="person-email-error">Email is already used by another person in this workspace\./)
    const offboardedManager = await asAdmin.post('/people/new', { email: 'new@acme.test', manager: 'olly@acme.test' })
    t.match(offboardedManager.body, /id="person-manager-error">Olly Gone is offboarded: only active people can be a manager\./)
    t.same(await counts(), before, 'still nothing written')
  })

  t.test('valid input adds the person and opens their page', async t => {
    const res = await asAdmin.post('/people/new', {
      email: 'Nia@acme.test',
      first_name: 'Nia',
      last_name: 'New',
      job_title: 'Analyst',
      department: 'Finance',
      location: 'Paris',
      manager: 'Pat Smith',
      cost_center: 'CC-7',
      start_date: '2024-06-01',
      status: 'active',
      role: 'super-admin'
    })
    t.equal(res.statusCode, 303)
    const created = await app.db('users').where({ workspace_id: acme.id, email: 'Nia@acme.test' }).first()
    t.equal(res.headers.location, `/people/${created.id}`)
    t.match(created, { first_name: 'Nia', department: 'Finance', manager_id: pat.id, cost_center: 'CC-7', role: 'employee', status: 'active', source: 'manual' })
    t.match((await asAdmin.get(res.headers.location as string)).body, 'Added Nia New.')

    const bySue = await asSue.post('/people/new', { email: 'ivy@acme.test', first_name: 'Ivy', role: 'it-admin' })
    t.equal(bySue.statusCode, 303)
    t.equal((await app.db('users').where({ workspace_id: acme.id, email: 'ivy@acme.test' }).first()).role, 'it-admin', 'a super admin gives the role')
  })

  t.test('the manager field suggests people as the admin types', async t => {
    const res = await asAdmin.get('/people/managers?manager=quin', { 'hx-request': 'true' })
    t.equal(res.body.trim(), '<option value="quinn@acme.test">Quinn Jones</option>')
  })
})

t.test('edit', async t => {
  const form = await asAdmin.get(`/people/${quinn.id}/edit`)
  t.equal(form.statusCode, 200)
  const current = await people.get(acme.id, quinn.id)
  t.match(form.body, `<input type="hidden" name="version" value="${current.version}">`)
  t.match(form.body, 'value="Engineer"')
  t.match(form.body, /<select id="person-role" name="role" disabled aria-describedby="person-role-hint">/, 'roles change in Settings')
  t.match(form.body, /<select id="person-status" name="status">\s*<option value="active" selected>Active<\/option><option value="inactive">Inactive<\/option>\s*<\/select>/, 'offboarding is its own action')
  const patForm = await asAdmin.get(`/people/${pat.id}/edit`)
  t.match(patForm.body, 'id="person-manager" name="manager" value="quinn@acme.test"', 'the manager by email')

  const fields = { email: 'quinn@acme.test', first_name: 'Quinn', last_name: 'Jones', job_title: 'Staff Engineer', department: 'Engineering', start_date: '2022-03-01', status: 'active' }

  t.test('saved at the version it was opened with', async t => {
    const res = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, version: String(current.version) })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, `/people/${quinn.id}`)
    const saved = await people.get(acme.id, quinn.id)
    t.match(saved, { job_title: 'Staff Engineer', version: current.version + 1 })
    t.match((await asAdmin.get(`/people/${quinn.id}`)).body, 'Saved Quinn Jones.')
    const again = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, version: String(saved.version) })
    t.equal(again.statusCode, 303)
    t.match((await asAdmin.get(`/people/${quinn.id}`)).body, 'Nothing to save: Quinn Jones is unchanged.')
    const patFields = { email: 'pat@acme.test', first_name: 'Pat', last_name: 'Smith', manager: 'quinn@acme.test', status: 'active' }
    const keepsManager = await asAdmin.post(`/people/${pat.id}/edit`, { ...patFields, version: versionOn(patForm.body) })
    t.equal(keepsManager.statusCode, 303)
    t.equal((await people.get(acme.id, pat.id)).manager_id, quinn.id, 'the manager is kept')
  })

  t.test('a stale version is refused with a message, the input kept and the saved values shown', async t => {
    const saved = await people.get(acme.id, quinn.id)
    await people.update(acme.id, systemActor, quinn.id, { location: 'Lisbon' }) // someone else saves
    const before = await counts()
    const res = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, job_title: 'Principal', version: String(saved.version) })
    t.equal(res.statusCode, 409)
    t.match(res.body, 'Not saved: someone else changed this person while you were editing it.')
    t.match(res.body, 'value="Principal"', 'the input is kept')
    t.match(res.body, /id="person-location-saved">Saved now: <strong>Lisbon<\/strong>/, 'what the other person saved')
    t.match(res.body, `<input type="hidden" name="version" value="${saved.version + 1}">`, 'saving again is a deliberate overwrite')
    t.same(await counts(), before, 'nothing of the stale edit was written')
    t.equal((await people.get(acme.id, quinn.id)).job_title, 'Staff Engineer')
  })

  t.test('invalid input is refused inline with the input kept; offboarding is not an edit', async t => {
    const saved = await people.get(acme.id, quinn.id)
    const res = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, email: '', start_date: '2022-02-30', manager: 'quinn@acme.test', version: String(saved.version) })
    t.equal(res.statusCode, 422)
    t.match(res.body, /id="person-email-error">Email must not be empty\./)
    t.match(res.body, /id="person-start-date-error">Start date must be a date/)
    t.match(res.body, 'value="2022-02-30"')
    t.match(res.body, /<option value="employee" selected>Employee<\/option>/, 'the role shown is still the person\'s')
    const self = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, manager: 'quinn@acme.test', version: String(saved.version) })
    t.match(self.body, /id="person-manager-error">Manager cannot be the person themselves\./)
    const offboarding = await asAdmin.post(`/people/${quinn.id}/edit`, { ...fields, status: 'offboarded', version: String(saved.version) })
    t.equal(offboarding.statusCode, 422)
    t.match(offboarding.body, /id="person-status-error">To offboard someone, use Offboard on their page/)
    t.equal((await people.get(acme.id, quinn.id)).version, saved.version, 'nothing written')
  })
})

t.test('offboard, then recover and revoke what they hold', async t => {
  const page = await asAdmin.get(`/people/${pat.id}`)
  const version = versionOn(page.body.slice(page.body.indexOf('/offboard"')))
  const before = await counts()
  const unconfirmed = await asAdmin.post(`/people/${pat.id}/offboard`, { version })
  t.equal(unconfirmed.statusCode, 422)
  t.match(unconfirmed.body, /id="offboard-confirm-error">Tick the box to confirm that Pat Smith is leaving\./)
  const stale = await asAdmin.post(`/people/${pat.id}/offboard`, { version: String(Number(version) - 1), confirm: 'yes' })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Someone changed Pat Smith since you opened this page, so they were not offboarded.')
  t.same(await counts(), before, 'nothing written')

  const res = await asAdmin.post(`/people/${pat.id}/offboard`, { version, confirm: 'yes' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/people/${pat.id}`)
  t.match(await people.get(acme.id, pat.id), { status: 'offboarded' })
  const events = await app.db('events').where({ workspace_id: acme.id, type: 'user.offboarded' }).whereRaw("payload->>'id' = ?", [pat.id])
  t.equal(events.length, 1, 'user.offboarded is in the outbox')
  t.match(events[0].payload, { status: 'offboarded', hardware: [{ id: laptop.id }], seats: [{ id: patFigma.id, software_name: 'Figma' }] })

  const after = await asAdmin.get(`/people/${pat.id}`)
  t.match(after.body, 'Pat Smith is offboarded. They still hold 1 device and 1 software seat: recover them below.')
  t.match(after.body, /id="still-held">Offboarded on \d{4}-\d{2}-\d{2}, and still holds 2 items/)
  t.match(after.body, `action="/people/${pat.id}/hardware/${laptop.id}/recover"`)
  t.match(after.body, `action="/people/${pat.id}/seats/${patFigma.id}/revoke"`)
  t.notMatch(after.body, `action="/people/${pat.id}/offboard"`, 'offboarded once')
  t.match(after.body, /<code>person.offboarded<\/code>/)

  const laptopVersion = String((await hardware.get(acme.id, laptop.id)).version)
  const staleRecover = await asAdmin.post(`/people/${pat.id}/hardware/${laptop.id}/recover`, { version: String(Number(laptopVersion) - 1) })
  t.equal(staleRecover.statusCode, 409)
  t.match(staleRecover.body, 'Someone changed A-001 since you opened this page')
  const notTheirs = await asAdmin.post(`/people/${pat.id}/hardware/${phone.id}/recover`, { version: '2' })
  t.equal(notTheirs.statusCode, 409)
  t.match(notTheirs.body, 'A-002 is no longer assigned to Pat Smith, so nothing was done.')
  t.equal((await hardware.get(acme.id, phone.id)).assigned_user_id, eli.id)

  const recovered = await asAdmin.post(`/people/${pat.id}/hardware/${laptop.id}/recover`, { version: laptopVersion })
  t.equal(recovered.statusCode, 303)
  t.equal(recovered.headers.location, `/people/${pat.id}`)
  t.match(await hardware.get(acme.id, laptop.id), { status: 'available', assigned_user_id: null })

  t.equal((await asAdmin.post(`/people/${pat.id}/seats/${eliFigma.id}/revoke`, {})).statusCode, 404, 'someone else\'s seat is not found here')
  const revoked = await asAdmin.post(`/people/${pat.id}/seats/${patFigma.id}/revoke`, {})
  t.equal(revoked.statusCode, 303)
  const seat = await app.db('software_assignments').where({ workspace_id: acme.id, id: patFigma.id }).first()
  t.ok(seat.revoked_at, 'the seat is revoked')
  const done = await asAdmin.get(`/people/${pat.id}`)
  t.match(done.body, 'Revoked the Figma seat of Pat Smith.')
  t.notMatch(done.body, 'id="still-held"', 'nothing left to recover')
  t.match(done.body, 'No hardware.')
  const twice = await asAdmin.post(`/people/${pat.id}/seats/${patFigma.id}/revoke`, {})
  t.equal(twice.statusCode, 409)
  t.match(twice.body, 'The Figma seat of Pat Smith was already revoked, so nothing was done.')

  const self = await asAdmin.post(`/people/${ada.id}/offboard`, { confirm: 'yes' })
  t.equal(self.statusCode, 422)
  t.match(self.body, 'You cannot offboard yourself')
})

t.test('employees: their own page only, read-only', async t => {
  for (const url of ['/people', '/people.csv', '/people/new', `/people/${eli.id}/edit`, '/people/managers']) {
    t.equal((await asEli.get(url)).statusCode, 403, `GET ${url}`)
  }
  const own = await asEli.get(`/people/${eli.id}`)
  t.equal(own.statusCode, 200)
  t.match(own.body, /<a href="\/hardware\/[0-9a-f-]{36}">A-002<\/a> iPhone/, 'their hardware')
  t.match(own.body, /Figma\s*<span class="cell-note">/, 'their seats')
  t.notMatch(own.body, '/edit"')
  t.notMatch(own.body, 'Audit trail')
  t.notMatch(own.body, '/recover"')
  t.notMatch(own.body, '/revoke"')
  t.notMatch(own.body, '/offboard"')
  t.notMatch(own.body, '<a href="/people/"', 'no link to the people list')
  t.equal((await asEli.get(`/people/${quinn.id}`)).statusCode, 404, 'someone else\'s page is not found')
  t.equal((await asEli.get(`/people/${stranger.id}`)).statusCode, 404)
  for (const url of ['/people/new', `/people/${eli.id}/edit`, `/people/${quinn.id}/offboard`, `/people/${eli.id}/hardware/${phone.id}/recover`, `/people/${eli.id}/seats/${eliFigma.id}/revoke`]) {
    t.equal((await asEli.post(url, { email: 'x@acme.test', confirm: 'yes' })).statusCode, 403, `POST ${url}`)
  }
  t.equal((await people.get(acme.id, quinn.id)).status, 'active', 'nothing changed')
})

t.test('forms need the CSRF token', async t => {
  const res = await asAdmin.post('/people/new', { email: 'csrf@acme.test' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.notOk(await app.db('users').where({ email: 'csrf@acme.test' }).first())
})
