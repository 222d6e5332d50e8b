// The register's input rules beyond types, the same from every door: an asset tag is printable
// (no control characters, no space at either end, at most 64), a warranty ends after the purchase
// and a person's end date is not before their start; a serial is one device whatever its case or
// Unicode form, on the form and the API. Inline on pages, problem+json on /api,
// each naming the field.
import t from 'tap'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { hardwarePages } from './helpers/hardware-pages.ts'
import { systemActor } from '../core/audit/index.ts'
import type { ValidationError } from '../core/register/index.ts'

const { app, acme, thinkpad, asAdmin } = await hardwarePages(t)
const api = await apiClient(app, acme.id)
const r = app.registry.hardware
const count = async () => Number((await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)
// TAP reads a raw U+2028 in a message as a line break.
const escape = (text: string) => text.replace(/[^ -~]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
const refused = async (work: () => Promise<unknown>) => ((await work().then(() => null, e => e)) as ValidationError | null)?.errors

t.test('asset tags: printable, no space at either end, at most 64 characters', async t => {
  for (const tag of ['TAB\tTAG', 'LINE\nBREAK', 'BELL\u0007', 'ZERO\u200bWIDTH', 'LS\u2028X']) {
    t.match(await refused(() => r.create(acme.id, systemActor, { asset_tag: tag, serial: `SN-${tag.length}-${tag.charCodeAt(4)}`, name: 'x' })),
      [{ field: 'asset_tag', rule: 'format', message: /printable/ }], escape(tag))
  }
  t.match(await refused(() => r.create(acme.id, systemActor, { asset_tag: 'A'.repeat(65), serial: 'SN-LONG', name: 'x' })), [{ field: 'asset_tag', rule: 'maxLength' }])
  const ok = await r.create(acme.id, systemActor, { asset_tag: '  IT 42/7 – Büro  ', serial: 'SN-OK-TAG', name: 'Printable' })
  t.equal(ok.asset_tag, 'IT 42/7 – Büro', 'inner spaces, punctuation and letters of any script are fine; ends trimmed on the register')

  const before = await count()
  const page = await asAdmin.post('/hardware/new', { asset_tag: 'A\u0007B', serial: 'SN-PAGE-TAG', name: 'Tagged' })
  t.equal(page.statusCode, 422)
  t.match(page.body, /id="hw-asset-tag-error">Asset tag must be printable characters, without tabs, line breaks or other control characters, and no space at either end\.<\/p>/)
  isProblem(t, await api.call('POST', '/api/hardware', { asset_tag: ' LEADING', serial: 'SN-API-TAG', name: 'x' }), 400, 'asset_tag', 'format')
  isProblem(t, await api.call('PATCH', `/api/hardware/${thinkpad.id}`, { asset_tag: 'NEW\tLINE' }), 400, 'asset_tag', 'format')
  t.equal(await count(), before, 'nothing written')
})

t.test('a warranty ends after the purchase, on create and on any edit of either date', async t => {
  t.match(await refused(() => r.create(acme.id, systemActor, { serial: 'SN-W-1', name: 'x', purchase_date: '2024-03-01', warranty_end: '2024-02-28' })),
    [{ field: 'warranty_end', rule: 'range', message: 'must be after the purchase date (2024-03-01)' }])
  t.match(await refused(() => r.create(acme.id, systemActor, { serial: 'SN-W-2', name: 'x', purchase_date: '2024-03-01', warranty_end: '2024-03-01' })),
    [{ field: 'warranty_end', rule: 'range' }], 'the same day is not after')
  const hw = await r.create(acme.id, systemActor, { serial: 'SN-W-3', name: 'Warranted', purchase_date: '2024-03-01', warranty_end: '2027-03-01' })
  t.match(await refused(() => r.update(acme.id, systemActor, hw.id, { warranty_end: '2023-01-01' })), [{ field: 'warranty_end', rule: 'range' }], 'against the stored purchase date')
  t.match(await refused(() => r.update(acme.id, systemActor, hw.id, { purchase_date: '2028-01-01' })), [{ field: 'warranty_end', rule: 'range' }], 'a later purchase date too')
  t.ok(await r.update(acme.id, systemActor, hw.id, { purchase_date: null, warranty_end: '2020-01-01' }), 'either unknown: nothing to compare')

  const page = await asAdmin.post('/hardware/new', { serial: 'SN-W-PAGE', name: 'Dated', purchase_date: '2024-03-01', warranty_end: '2023-03-01' })
  t.equal(page.statusCode, 422)
  t.match(page.body, /id="hw-warranty-end-error">Warranty ends must be after the purchase date \(2024-03-01\)\.<\/p>/)
  const edit = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { asset_tag: 'A-002', serial: 'SN-TP-1', name: 'ThinkPad X1', category: 'laptop', status: 'available', condition: 'good', purchase_date: '2025-01-10', warranty_end: '2024-01-10' })
  t.equal(edit.statusCode, 422)
  t.match(edit.body, 'id="hw-warranty-end-error">Warranty ends must be after the purchase date (2025-01-10).</p>')
  const problem = isProblem(t, await api.call('POST', '/api/hardware', { serial: 'SN-W-API', name: 'x', purchase_date: '2024-03-01', warranty_end: '2024-01-01' }), 422, 'warranty_end', 'range')
  t.match(problem.errors, [{ field: 'warranty_end', message: 'must be after the purchase date (2024-03-01)' }])
  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { purchase_date: '2019-01-01', warranty_end: '2018-12-31' }), 422, 'warranty_end', 'range')
})

t.test('a person\'s end date is on or after their start date, from the API too', async t => {
  isProblem(t, await api.call('POST', '/api/users', { email: 'dates@acme.test', start_date: '2024-05-01', end_date: '2024-04-30' }), 422, 'end_date', 'range')
  const sameDay = await api.call('POST', '/api/users', { email: 'day@acme.test', start_date: '2024-05-01', end_date: '2024-05-01' })
  t.equal(sameDay.statusCode, 201, 'a one-day contract')
})

t.test('a serial is one device whatever its case or Unicode form: the form and the API', async t => {
  const cafe = await r.create(acme.id, systemActor, { serial: 'CAF\u00c9-9', name: 'Café laptop' })
  const form = await asAdmin.post('/hardware/new', { serial: 'cafe\u0301-9', name: 'Same, typed on a Mac in small letters' })
  t.equal(form.statusCode, 422)
  t.match(form.body, 'id="hw-serial-error">Serial number is already used by other hardware in this workspace (serial numbers are compared ignoring case).</p>')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'caf\u00e9-9', name: 'x' }), 422, 'serial', 'unique')
  const patched = await api.call('PATCH', `/api/hardware/${cafe.id}`, { serial: 'Cafe\u0301-9' })
  t.equal(patched.statusCode, 200, 'a row may change its own serial\'s case and form')
  t.equal(json(patched).serial, 'Caf\u00e9-9', 'stored in NFC')
})
