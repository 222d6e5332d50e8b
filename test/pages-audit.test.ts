import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import type { Role } from '../core/auth/roles.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')

async function addUser (workspaceId: string, role: Role, email: string) {
  const [row] = await app.db('users').insert({ workspace_id: workspaceId, email, role, first_name: email.split('@')[0], last_name: 'Test' }).returning('*')
  return row as { id: string, email: string }
}

const admin = await addUser(acme.id, 'admin', 'ada@acme.test')
const employee = await addUser(acme.id, 'employee', 'eli@acme.test')

function entry (workspaceId: string, action: string, occurredAt: string, extra: Record<string, unknown> = {}) {
  return {
    workspace_id: workspaceId,
    occurred_at: occurredAt,
    actor_type: 'user',
    actor_id: admin.id,
    actor_label: admin.email,
    action,
    target_type: 'hardware',
    target_id: 'hw-1',
    target_label: 'ACME-000001',
    ...extra
  }
}

// 60 paging entries on 2024-03-01, one change in January, one in another workspace.
await app.db('audit_log').insert(Array.from({ length: 60 }, (_, i) =>
  entry(acme.id, 'test.paging', `2024-03-01T10:${String(i).padStart(2, '0')}:00Z`, { target_label: `Item ${i + 1}` })))
await app.db('audit_log').insert(entry(acme.id, 'hardware.updated', '2024-01-15T12:00:00Z', {
  changes: JSON.stringify({ status: { old: 'available', new: 'in_repair' }, notes: { old: null, new: 'Cracked screen' } })
}))
await app.db('audit_log').insert(entry(other.id, 'hardware.updated', '2024-01-15T12:00:00Z', { target_label: 'OTHER-1' }))

/** What a browser reads from an attribute Handlebars escaped. */
const decodeAttr = (value: string) => value.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')
const rowsIn = (html: string) => (html.match(/<td class="nowrap"><time /g) ?? []).length

t.test('signed out: redirected to sign in', async t => {
  const res = await app.inject({ url: '/audit', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Faudit')
})

t.test('employees are refused', async t => {
  const res = await (await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: employee.id })).get('/audit')
  t.equal(res.statusCode, 403)
  t.match(res.body, 'needs one of these roles')
})

t.test('admins see the log', async t => {
  const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })

  t.test('filter by action, with changes old -> new', async t => {
    const res = await session.get('/audit?action=hardware.')
    t.equal(res.statusCode, 200)
    t.equal(rowsIn(res.body), 1)
    t.match(res.body, '<code>hardware.updated</code>')
    t.match(res.body, /<strong>status<\/strong>: <span class="old">available<\/span><span class="arrow" aria-hidden="true">→<\/span><span class="visually-hidden"> changed to <\/span><span class="new">in_repair<\/span>/)
    t.match(res.body, /<span class="old">—<\/span>.*<span class="new">Cracked screen<\/span>/s, 'an empty old value shows as a dash')
    t.notMatch(res.body, 'OTHER-1', 'other workspaces are not shown')
    t.match(res.body, 'value="hardware."', 'the filter keeps its value')
  })

  t.test('filter by date range', async t => {
    const jan = await session.get('/audit?from=2024-01-01&to=2024-01-31')
    t.equal(rowsIn(jan.body), 1)
    t.match(jan.body, 'hardware.updated')
    const march = await session.get('/audit?from=2024-03-01&to=2024-03-01&action=test.')
    t.equal(rowsIn(march.body), 50, 'the whole day is included (first page)')
    const none = await session.get('/audit?from=2024-02-01&to=2024-02-28')
    t.equal(rowsIn(none.body), 0)
    t.match(none.body, 'No audit entries match these filters.')
  })

  t.test('an invalid date is an inline message, not an error page', async t => {
    const res = await session.get('/audit?from=2024-02-30&to=yesterday')
    t.equal(res.statusCode, 422)
    t.match(res.body, '<h1>Audit log</h1>')
    t.match(res.body, /<input id="f-from" name="from" type="date" value="2024-02-30" aria-invalid="true" aria-describedby="f-from-error">/)
    t.match(res.body, /id="f-from-error">Enter a date as YYYY-MM-DD/)
    t.match(res.body, /id="f-to-error">Enter a date as YYYY-MM-DD/)
    t.match(res.body, 'role="alert"')
    const reversed = await session.get('/audit?from=2024-03-02&to=2024-03-01')
    t.equal(reversed.statusCode, 422)
    t.match(reversed.body, 'The end date is before the start date.')
    const htmx = await session.get('/audit?from=nope', { 'hx-request': 'true', 'hx-target': 'audit-panel' })
    t.equal(htmx.statusCode, 422)
    t.match(htmx.body, /^<div id="audit-panel">/, 'htmx gets the filter panel with the message')
  })

  t.test('unknown or odd parameters are ignored, not a 400', async t => {
    const res = await session.get('/audit?action=test.&before=abc&foo=bar')
    t.equal(res.statusCode, 200)
    t.equal(rowsIn(res.body), 50)
  })

  t.test('"Load more" pages by keyset, with and without htmx', async t => {
    const first = await session.get('/audit?action=test.paging')
    t.equal(rowsIn(first.body), 50)
    t.match(first.body, 'Item 60', 'newest first')
    const next = /<a class="button" href="([^"]+)" hx-get="\1" hx-target="#audit-more"/.exec(first.body)
    t.ok(next, 'a Load more link that works without JavaScript')
    const nextUrl = decodeAttr(next![1])
    t.match(nextUrl, /^\/audit\?action=test\.paging&before=\d+$/)

    const page = await session.get(nextUrl)
    t.equal(page.statusCode, 200)
    t.equal(rowsIn(page.body), 10)
    t.match(page.body, 'Item 10')
    t.notMatch(page.body, 'Item 11<', 'no overlap with the first page')
    t.notMatch(page.body, 'id="audit-more"', 'no further page')
    t.match(page.body, 'Back to the newest entries')

    const fragment = await session.get(nextUrl, { 'hx-request': 'true', 'hx-target': 'audit-more' })
    t.equal(fragment.statusCode, 200)
    t.notMatch(fragment.body, '<table', 'htmx gets only rows')
    t.equal(rowsIn(fragment.body), 10)
  })

  t.test('htmx filtering returns the panel only', async t => {
    const res = await session.get('/audit?action=hardware.', { 'hx-request': 'true', 'hx-target': 'audit-panel' })
    t.equal(res.statusCode, 200)
    t.match(res.body, /^<div id="audit-panel">/)
    t.notMatch(res.body, '<!doctype')
    t.equal(rowsIn(res.body), 1)
  })
})

t.test('CSV export of the log as filtered, streamed newest first', async t => {
  const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
  const page = await session.get('/audit?action=hardware.')
  t.match(decodeAttr(page.body), 'href="/audit.csv?action=hardware."')
  const res = await session.get('/audit.csv?action=hardware.')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/csv')
  t.match(res.headers['content-disposition'], /attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"/)
  const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n')
  t.equal(lines[0], 'When,Actor type,Actor,Action,Target type,Target,Target id,Outcome,Changes,Details')
  t.equal(lines.length, 2, 'only the filtered entry, not the other workspace\'s')
  t.match(lines[1], /hardware\.updated,hardware,ACME-000001,hw-1,success,"\{.*""status"":\{""new"":""in_repair""/)
  const all = await session.get('/audit.csv')
  t.ok(all.body.trim().split('\r\n').length > 60, 'every entry across keyset batches')
  t.equal((await session.get('/audit.csv?from=2024-13-01')).statusCode, 422, 'invalid filters give an error page, not a file')
  const employeeSession = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: employee.id })
  t.equal((await employeeSession.get('/audit.csv')).statusCode, 403)
})
