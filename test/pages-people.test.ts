import t, { type Test } from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { allPages, decodeAttr, listsShow as listsShowIn, nextUrlIn } from './helpers/lists.ts'
import { writeProbe } from './helpers/register.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Role } from '../core/auth/roles.ts'
import type { PersonInput } from '../core/register/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { people, hardware, software } = app.registry

async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee', more: Partial<PersonInput> = {}) {
  return await people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role, ...more })
}

const ada = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin', { department: 'IT' })
const sue = await person(acme.id, 'sue@acme.test', 'Sue', 'Super', 'super-admin', { department: 'IT' })
const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee', 'employee', { department: 'Sales' })
const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones', 'employee', { department: 'Engineering', job_title: 'Engineer', start_date: '2022-03-01' })
const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith', 'employee', {
  department: 'Design', job_title: 'Designer', location: 'Berlin', cost_center: 'CC-42', start_date: '2023-01-10', manager_id: quinn.id
})
const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone', 'employee')
await people.offboard(acme.id, systemActor, olly.id)
const evil = await person(acme.id, 'evil@acme.test', '=HYPERLINK("http://evil.test")', 'Evil', 'employee', { department: '+cmd' })
const stranger = await person(other.id, 'sam@other.test', 'Sam', 'Stranger')

const laptop = await hardware.create(acme.id, systemActor, { asset_tag: 'A-001', serial: 'SN-1', name: 'MacBook Pro', category: 'laptop' })
await hardware.assign(acme.id, systemActor, laptop.id, pat.id)
const phone = await hardware.create(acme.id, systemActor, { asset_tag: 'A-002', serial: 'SN-2', name: 'iPhone', category: 'phone' })
await hardware.assign(acme.id, systemActor, phone.id, eli.id)
const figma = await software.create(acme.id, systemActor, { name: 'Figma', seats_purchased: 5, cost_per_seat: 12 })
const patFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: pat.id }, { lastActiveAt: new Date() })
const eliFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: eli.id })

// 120 people for paging, set-based: every 4th has no department, every 5th no start date, every 7th is inactive.
await app.db.raw(`
  INSERT INTO users (workspace_id, email, first_name, last_name, department, status, role, start_date)
  SELECT :ws, 'bulk-' || lpad(g::text, 3, '0') || '@bulk.test', 'Bulk', 'Person ' || lpad(g::text, 3, '0'),
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'Dept ' || (g % 3) END,
    CASE WHEN g % 7 = 0 THEN 'inactive' ELSE 'active' END,
    CASE WHEN g % 2 = 0 THEN 'employee' ELSE 'it-admin' END,
    CASE WHEN g % 5 = 0 THEN NULL ELSE date '2020-01-01' + g END
  FROM generate_series(1, 120) g`, { ws: acme.id })

const ROW = /<td><a href="\/people\/([0-9a-f-]{36})">[^<]*<\/a><span class="cell-note">([^<]+)<\/span><\/td>/g
/** Emails of the table rows, in order. */
const emailsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2])
const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? ''
const HAND = 'q=acme.test'

const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const asAdmin = await as(ada)
const asSue = await as(sue)
const asEli = await as(eli)

const probe = writeProbe(app, ['users', 'audit_log', 'events'], ['(SELECT coalesce(sum(version), 0) FROM users WHERE workspace_id = :ws)::int AS versions'])
const counts = () => probe.counts(acme.id)
const peoplePages = (t: Test, url: string) => allPages(t, asAdmin, url, 'people', emailsIn)

const listsShow = (t: Test, cases: Array<[string, string[]]>) => listsShowIn(t, asAdmin, '/people', emailsIn, cases)

t.test('signed out: redirected to sign in', async t => {
  const res = await app.inject({ url: '/people', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Fpeople')
})

t.test('the list', async t => {
  t.test('admins see the workspace\'s people by name, 50 at a time, with the navigation', async t => {
    const res = await asAdmin.get('/people')
    t.equal(res.statusCode, 200)
    t.match(res.body, '<h1>People</h1>')
    t.match(res.body, /<a href="\/people" aria-current="page">People<\/a>/, 'the menu shows People, current')
    t.match(res.body, /<a href="\/software">Software<\/a>/, 'and Software')
    t.match(res.body, 'href="/people/new"')
    t.equal(emailsIn(res.body).length, 50)
    t.same(emailsIn(res.body).slice(0, 3), ['ada@acme.test', 'eli@acme.test', 'evil@acme.test'], 'by last name: Admin, Employee, Evil…')
    t.notMatch(res.body, 'sam@other.test', 'other workspaces are not shown')
    const hand = await asAdmin.get(`/people?${HAND}`)
    t.same(emailsIn(hand.body), ['ada@acme.test', 'eli@acme.test', 'evil@acme.test', 'olly@acme.test', 'quinn@acme.test', 'pat@acme.test', 'sue@acme.test'])
    t.match(hand.body, /<td>Designer<\/td>\s*<td>Design<\/td>/, 'job title and department')
    t.match(hand.body, /pat@acme.test[\s\S]*?1 hardware · 1 seat<\/td>/, 'what Pat holds')
    t.match(hand.body, /<span class="badge badge-offboarded">offboarded<\/span>/)
    t.match(hand.body, '<th scope="col" aria-sort="ascending">', 'the current sort is announced')
  })

  t.test('search: name, email or department; every word must match', async t => {
    await listsShow(t, [
      ['q=smith', ['pat@acme.test']],
      ['q=QUINN%40acme', ['quinn@acme.test']],
      ['q=design', ['pat@acme.test']],
      ['q=pat+design', ['pat@acme.test']],
      ['q=pat+sales', []],
      ['q=engineer', ['quinn@acme.test']],
      ['q=100%25', []],
      ['q=_', []]
    ])
    const none = await asAdmin.get('/people?q=nobody-like-this')
    t.match(none.body, 'No one matches these filters.')
    t.match(none.body, 'value="nobody-like-this"', 'the search box keeps its text')
  })

  t.test('filters: status, department, role', async t => {
    await listsShow(t, [
      [`${HAND}&status=offboarded`, ['olly@acme.test']],
      ['department=Design', ['pat@acme.test']],
      [`${HAND}&role=super-admin`, ['sue@acme.test']],
      [`${HAND}&department=IT&role=admin`, ['ada@acme.test']],
      [`${HAND}&status=active&department=Sales`, ['eli@acme.test']]
    ])
    const res = await asAdmin.get('/people?department=Design')
    t.match(res.body, '<option value="Design" selected>Design</option>', 'the filter keeps its value')
    t.match(res.body, '<option value="Engineering">Engineering</option>', 'departments the workspace uses')
    t.match(res.body, '<option value="it-admin">IT admin</option>', 'roles by their names')
    const bulkInactive = await peoplePages(t, '/people?q=bulk.test&status=inactive')
    t.equal(bulkInactive.items.length, 17, 'every 7th bulk person is inactive')
  })

  t.test('an invalid filter is an inline message, not an error page', async t => {
    const res = await asAdmin.get(`/people?status=gone&role=boss&q=${'x'.repeat(201)}`)
    t.equal(res.statusCode, 422)
    t.match(res.body, '<h1>People</h1>')
    t.match(res.body, /<select id="hw-f-status" name="status" aria-invalid="true" aria-describedby="hw-f-status-error">/)
    t.match(res.body, /id="hw-f-role-error">Choose one of the listed values\./)
    t.match(res.body, /id="people-q-error">Search with at most 200 characters\./)
    t.match(res.body, 'Correct the filters above to see people.')
    t.equal(emailsIn(res.body).length, 0)
  })

  t.test('sortable columns, each way; blanks last', async t => {
    const sorted = async (query: string) => emailsIn((await asAdmin.get(`/people?${HAND}&${query}`)).body)
    t.same(await sorted('sort=name&dir=desc'), ['sue@acme.test', 'pat@acme.test', 'quinn@acme.test', 'olly@acme.test', 'evil@acme.test', 'eli@acme.test', 'ada@acme.test'])
    const byDepartment = await sorted('sort=department&dir=asc')
    t.same(byDepartment.slice(0, 3), ['evil@acme.test', 'pat@acme.test', 'quinn@acme.test'], '+cmd, Design, Engineering…')
    t.same(byDepartment.slice(3, 5).sort(), ['ada@acme.test', 'sue@acme.test'], '…IT (ties by id)…')
    t.equal(byDepartment[5], 'eli@acme.test', 'Sales')
    t.equal(byDepartment[6], 'olly@acme.test', 'no department last')
    const byDepartmentDesc = await sorted('sort=department&dir=desc')
    t.same(byDepartmentDesc.slice(0, 1), ['eli@acme.test'])
    t.equal(byDepartmentDesc[6], 'olly@acme.test', 'no department last, descending too')
    const started = await sorted('sort=started')
    t.same(started.slice(0, 2), ['pat@acme.test', 'quinn@acme.test'], 'started: newest first by default, then those without a date')
    const roleOf = Object.fromEntries([ada, sue, eli, quinn, pat, olly, evil].map(p => [p.email, p.role]))
    t.same((await sorted('sort=role&dir=asc')).map(e => roleOf[e]), ['admin', 'employee', 'employee', 'employee', 'employee', 'employee', 'super-admin'])
    const statusOf = Object.fromEntries([ada, sue, eli, quinn, pat, olly, evil].map(p => [p.email, p.id === olly.id ? 'offboarded' : 'active']))
    t.same((await sorted('sort=status&dir=desc')).map(e => statusOf[e]), ['offboarded', 'active', 'active', 'active', 'active', 'active', 'active'])

    const res = await asAdmin.get(`/people?${HAND}&sort=department&dir=asc`)
    const current = /<th scope="col" aria-sort="ascending">\s*<a class="sort-link" href="([^"]+)"/.exec(res.body)
    t.equal(decodeAttr(current![1]), '/people?q=acme.test&sort=department&dir=desc', 'the current column flips')
    t.match(res.body, '<input type="hidden" name="sort" value="department">', 'filtering keeps the sort')
    const unknown = await asAdmin.get(`/people?${HAND}&sort=password_hash&dir=up`)
    t.equal(unknown.statusCode, 200, 'an unknown sort is the default one')
    t.equal(emailsIn(unknown.body)[0], 'ada@acme.test')
  })

  t.test('keyset paging: every row once, in order, across pages, for every sort', async t => {
    const bulk = await app.db('users').where({ workspace_id: acme.id }).whereLike('email', '%@bulk.test').pluck('email')
    t.equal(bulk.length, 120)
    for (const sort of ['name', 'department', 'role', 'status', 'started']) {
      for (const dir of ['asc', 'desc']) {
        const { items: emails, pages } = await peoplePages(t, `/people?q=bulk.test&sort=${sort}&dir=${dir}`)
        t.equal(pages, 3, `${sort} ${dir}: three pages`)
        t.equal(new Set(emails).size, 120, `${sort} ${dir}: 120 rows, no duplicates`)
        t.same([...emails].sort(), [...bulk].sort(), `${sort} ${dir}: no gaps`)
      }
    }
    const byName = await peoplePages(t, '/people?q=bulk.test')
    t.same(byName.items, [...bulk].sort(), 'in name order')
    const byDepartment = await peoplePages(t, '/people?q=bulk.test&sort=department&dir=desc')
    const noDepartment = bulk.filter(e => Number(e.slice(5, 8)) % 4 === 0)
    t.same(byDepartment.items.slice(-noDepartment.length).sort(), noDepartment.sort(), 'no department comes last, across the page boundary')
  })

  t.test('"Load more" with and without htmx; htmx filtering returns the panel', async t => {
    const first = await asAdmin.get('/people?q=bulk.test&sort=started')
    const next = nextUrlIn(first.body, 'people')
    t.match(next, /^\/people\?q=bulk\.test&sort=started&dir=desc&after=[A-Za-z0-9_-]+$/)
    const page = await asAdmin.get(next!)
    t.match(page.body, 'Back to the first page')
    t.match(page.body, '<h1>People</h1>', 'without JavaScript: the whole page')
    const fragment = await asAdmin.get(next!, { 'hx-request': 'true', 'hx-target': 'people-more' })
    t.notMatch(fragment.body, '<table', 'htmx gets only rows')
    t.same(emailsIn(fragment.body), emailsIn(page.body))
    const panel = await asAdmin.get('/people?department=Design', { 'hx-request': 'true', 'hx-target': 'people-panel' })
    t.match(panel.body, /^<div id="people-panel">/)
    t.notMatch(panel.body, '<!doctype')
    t.same(emailsIn(panel.body), ['pat@acme.test'])
    t.match(panel.headers.vary, 'HX-Target')
  })
})

t.test('CSV export', async t => {
  const res = await asAdmin.get(`/people.csv?${HAND}`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(res.headers['content-disposition'], /^attachment; filename="people-\d{4}-\d{2}-\d{2}\.csv"$/)
  const lines = res.body.replace(/^\uFEFF/, '').split('\r\n')
  t.equal(lines[0], 'First name,Last name,Email,Job title,Department,Location,Manager,Manager email,Cost center,Start date,End date,Status,Role,Hardware held,Seats held,Source,Created at,Updated at,Id')
  t.match(res.body, 'Pat,Smith,pat@acme.test,Designer,Design,Berlin,Quinn Jones,quinn@acme.test,CC-42,2023-01-10,,active,employee,1,1,manual,')
  t.match(res.body, '"\'=HYPERLINK(""http://evil.test"")",Evil,evil@acme.test,,\'+cmd,', 'formulas are guarded')
  t.equal(lines.filter(Boolean).length, 1 + 7, 'the search applies')
  t.notMatch(res.body, 'sam@other.test')
  const filtered = await asAdmin.get('/people.csv?department=Design')
  t.equal(filtered.body.trim().split('\r\n').length, 2)
  const all = await asAdmin.get('/people.csv')
  t.equal(all.body.trim().split('\r\n').length, 1 + 7 + 120, 'every row, in batches')
  t.equal((await asAdmin.get('/people.csv?role=boss')).statusCode, 422)
  const list = await asAdmin.get('/people?department=Design')
  t.match(decodeAttr(list.body), 'href="/people.csv?department=Design"', 'the list links its export, filters kept')
})

t.test('detail page', async t => {
  const res = await asAdmin.get(`/people/${pat.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>Pat Smith <span class="badge badge-active">active<\/span> <span class="badge badge-role badge-role-employee">Employee<\/span><\/h1>/)
  for (const [label, value] of [['Job title', 'Designer'], ['Department', 'Design'], ['Location', 'Berlin'], ['Cost center', 'CC-42'], ['Start date', '2023-01-10']]) {
    t.match(res.body, `<dt>${label}</dt><dd>${value}</dd>`, label)
  }
  t.match(res.body, `<dt>Manager</dt><dd><a href="/people/${quinn.id}">Quinn Jones</a>`)
  t.match(res.body, /<h2 id="person-hardware">Hardware held<\/h2>[\s\S]*<a href="\/hardware\/[0-9a-f-]{36}">A-001<\/a> MacBook Pro/, 'hardware links to its page')
  t.match(res.body, /<h2 id="person-seats">Software seats held<\/h2>[\s\S]*<a href="\/software\/[0-9a-f-]{36}">Figma<\/a>/)
  t.match(res.body, /<h2 id="person-trail">Audit trail<\/h2>[\s\S]*<code>person.created<\/code>/)
  t.match(res.body, `action="/people/${pat.id}/offboard"`)
  t.match(res.body, `href="/people/${pat.id}/edit"`)
  t.equal((await asAdmin.get(`/people/${stranger.id}`)).statusCode, 404, 'another workspace\'s person is not found')
  t.equal((await asAdmin.get('/people/not-an-id')).statusCode, 404)
  t.notMatch((await asAdmin.get(`/people/${ada.id}`)).body, `action="/people/${ada.id}/offboard"`, 'no offboarding yourself')
})

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
  t.match(form.body, /<select id="person-status" name="status">\s*<option value="active" selected>active<\/option><option value="inactive">inactive<\/option>\s*<\/select>/, 'offboarding is its own action')
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
