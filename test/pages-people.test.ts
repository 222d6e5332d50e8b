import t from 'tap'
import { decodeAttr, nextUrlIn } from './helpers/lists.ts'
import { peopleFixture } from './helpers/people-pages.ts'

// The People list (search, filters, sorting, paging), its CSV export and the detail page.
// Forms and actions: pages-people-forms.test.ts.

const { app, acme, ada, sue, eli, quinn, pat, olly, evil, stranger, emailsIn, HAND, asAdmin, peoplePages, listsShow } = await peopleFixture(t)

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
    t.match(hand.body, /<span class="badge badge-offboarded">Offboarded<\/span>/)
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
  t.match(res.body, /<h1>Pat Smith <span class="badge badge-active">Active<\/span> <span class="badge badge-role badge-role-employee">Employee<\/span><\/h1>/)
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
