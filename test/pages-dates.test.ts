import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { formatDate, formatDateTime } from '../core/admin/dates.ts'

// One date format across the pages: the workspace's (ISO 8601 unless a super admin changes it),
// for calendar dates and for moments alike.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { people, hardware, software, requests } = app.registry
const owner = await people.create(acme.id, systemActor, { email: 'sam@acme.test', role: 'super-admin', first_name: 'Sam', last_name: 'Owner' })
const pat = await people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat', last_name: 'Smith', start_date: '2026-03-05' })
const laptop = await hardware.create(acme.id, systemActor, { serial: 'DATE-1', name: 'MacBook Air', purchase_date: '2026-01-09', warranty_end: '2029-01-09' })
const figma = await software.create(acme.id, systemActor, { name: 'Figma', seats_purchased: 3, renewal_date: '2027-02-01' })
const request = await requests.create(acme.id, systemActor, { requester_id: pat.id, category: 'monitor' })
await app.db('hardware').where({ id: laptop.id }).update({ created_at: '2026-12-07T14:05:00Z' })
const browser = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: owner.id })

/** Dates written the way en-GB's medium style wrote them before ("7 Dec 2026, 14:05"). */
const OLD_STYLE = /\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/

t.test('ISO by default, on every page that shows a date', async t => {
  const hw = (await browser.get(`/hardware/${laptop.id}`)).body
  t.match(hw, '<dt>Purchase date</dt><dd>2026-01-09</dd>')
  t.match(hw, '<dt>Warranty ends</dt><dd>2029-01-09</dd>')
  t.match(hw, '>2026-12-07 14:05 UTC</time>', 'a moment: its date in the same format, then the UTC time')
  t.match((await browser.get('/people')).body, /<td class="nowrap">2026-03-05<\/td>/)
  t.match((await browser.get(`/people/${pat.id}`)).body, '<dt>Start date</dt><dd>2026-03-05</dd>')
  t.match((await browser.get(`/software/${figma.id}`)).body, /Renewal date<\/dt><dd>2027-02-01<\/dd>/)
  t.match((await browser.get('/software')).body, '2027-02-01')
  for (const url of ['/hardware', `/hardware/${laptop.id}`, '/people', `/people/${pat.id}`, '/software', `/software/${figma.id}`, '/requests', `/requests/${request.id}`, '/audit', '/settings/api']) {
    t.notMatch((await browser.get(url)).body, OLD_STYLE, `${url}: no date in another format`)
  }
})

t.test('a super admin chooses the format in Settings; every page follows, audited', async t => {
  const settings = await browser.get('/settings')
  t.match(settings.body, '<option value="iso" selected>2026-12-07</option>')
  const res = await browser.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6', date_format: 'd-mon-y' })
  t.equal(res.statusCode, 303)
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'workspace.updated' }).orderBy('id', 'desc').first(), { changes: { date_format: { old: 'iso', new: 'd-mon-y' } } })
  const hw = (await browser.get(`/hardware/${laptop.id}`)).body
  t.match(hw, '<dt>Purchase date</dt><dd>9 Jan 2026</dd>')
  t.match(hw, '>7 Dec 2026 14:05 UTC</time>')
  t.match((await browser.get('/people')).body, '5 Mar 2026')
  t.match((await browser.get('/requests', { 'hx-request': 'true', 'hx-target': 'requests-panel' })).body, / UTC/, 'fragments too')

  await browser.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6', date_format: 'mdy' })
  t.match((await browser.get(`/people/${pat.id}`)).body, '<dt>Start date</dt><dd>03/05/2026</dd>')
  await browser.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6' })
  t.equal((await app.db('workspaces').where({ id: acme.id }).first()).date_format, 'mdy', 'a form without the field leaves it as it is')
})

t.test('a format that is not offered is refused beside the field', async t => {
  const res = await browser.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6', date_format: 'yyyy.mm.dd' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /id="ws-date-format-error">The date format must be one of 2026-12-07, 07\/12\/2026, 12\/07\/2026, 7 Dec 2026\./)
})

t.test('calendar dates never move with a time zone; the range the register accepts is written whole', async t => {
  t.equal(formatDate('0001-01-01', 'dmy'), '01/01/0001')
  t.equal(formatDate('9999-12-31', 'd-mon-y'), '31 Dec 9999')
  t.equal(formatDate(new Date('2026-12-31T23:30:00-05:00'), 'iso'), '2027-01-01', 'a moment is dated in UTC')
  t.equal(formatDateTime('2026-12-07T09:03:00Z', 'unknown'), '2026-12-07 09:03 UTC', 'an unknown format falls back to ISO')
  t.equal(formatDate(null), '')
})
