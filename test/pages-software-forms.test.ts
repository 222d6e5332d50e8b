import t from 'tap'
import { systemActor } from '../core/audit/index.ts'
import { softwareFixture } from './helpers/software-pages.ts'

// Creating and editing software, assigning and revoking seats, hand-kept seat counts, what
// employees see, and other workspaces' ids. The list and detail: pages-software.test.ts.

const { app, acme, other, software, quinn, figma, patFigma, quinnFigma, eliFigma, vscode, notion, foreign, foreignSeat, seatsIn, asAdmin, asEli, counts } = await softwareFixture(t)

t.test('create', async t => {
  const form = await asAdmin.get('/software/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<fieldset class="form-section">\s*<legend>Licence<\/legend>/)
  t.match(form.body, /<label for="software-manual-seat-count">Seats in use, counted by hand <span class="muted">\(optional\)<\/span><\/label>/)
  t.match(form.body, 'id="software-seats-purchased" name="seats_purchased" value="0"')

  t.test('invalid input: inline errors, input kept, nothing written', async t => {
    const before = await counts()
    const res = await asAdmin.post('/software/new', { name: '', vendor: 'Kept <vendor>', seats_purchased: '-2', cost_per_seat: '12,50', renewal_date: '2025-02-30' })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The software was not saved. Correct the fields marked below.')
    t.match(res.body, /<input id="software-name" name="name" value="" required aria-required="true" maxlength="255" aria-describedby="software-name-error" aria-invalid="true"/)
    t.match(res.body, /id="software-name-error">Name must not be empty\./)
    t.match(res.body, /id="software-seats-purchased-error">Seats purchased must be a whole number\./)
    t.match(res.body, /id="software-cost-per-seat-error">Cost per seat must be a number\./)
    t.match(res.body, /id="software-renewal-date-error">Renewal date must be a date/)
    t.match(res.body, 'value="Kept &lt;vendor&gt;"')
    t.match(res.body, 'value="12,50"')
    const duplicate = await asAdmin.post('/software/new', { name: 'figma', seats_purchased: '1' })
    t.match(duplicate.body, /id="software-name-error">Name is already used by other software in this workspace\./)
    t.same(await counts(), before, 'nothing written')
  })

  t.test('valid input adds the licence and opens its page', async t => {
    const res = await asAdmin.post('/software/new', { name: 'Miro', vendor: 'Miro', seats_purchased: '15', cost_per_seat: '9.99', renewal_date: '2026-06-30', manual_seat_count: '' })
    t.equal(res.statusCode, 303)
    const created = await app.db('software').where({ workspace_id: acme.id, name: 'Miro' }).first()
    t.equal(res.headers.location, `/software/${created.id}`)
    t.match(created, { seats_purchased: 15, cost_per_seat: '9.99', manual_seat_count: null, source: 'manual' })
    t.match((await asAdmin.get(res.headers.location as string)).body, 'Added Miro.')
  })
})

t.test('edit', async t => {
  const form = await asAdmin.get(`/software/${notion.id}/edit`)
  t.equal(form.statusCode, 200)
  t.match(form.body, `<input type="hidden" name="version" value="${notion.version}">`)
  t.match(form.body, 'value="Notion Labs"')
  const fields = { name: 'Notion', vendor: 'Notion Labs', seats_purchased: '5', cost_per_seat: '10', renewal_date: '', manual_seat_count: '' }

  const saved = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, version: String(notion.version) })
  t.equal(saved.statusCode, 303)
  t.match(await software.get(acme.id, notion.id), { cost_per_seat: 10, version: notion.version + 1 })
  t.match((await asAdmin.get(`/software/${notion.id}`)).body, 'Saved Notion.')
  const unchanged = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, version: String(notion.version + 1) })
  t.equal(unchanged.statusCode, 303)
  t.match((await asAdmin.get(`/software/${notion.id}`)).body, 'Nothing to save: Notion is unchanged.')

  await software.update(acme.id, systemActor, notion.id, { seats_purchased: 8 }) // someone else saves
  const before = await counts()
  const stale = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, cost_per_seat: '11', version: String(notion.version + 1) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Not saved: someone else changed this software while you were editing it.')
  t.match(stale.body, 'value="11"', 'the input is kept')
  t.match(stale.body, /id="software-seats-purchased-saved">Saved now: <strong>8<\/strong>/)
  t.match(stale.body, `<input type="hidden" name="version" value="${notion.version + 2}">`)
  t.same(await counts(), before, 'nothing written')

  const invalid = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, manual_seat_count: '-1', version: String(notion.version + 2) })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, /id="software-manual-seat-count-error">Seats in use, counted by hand must be a whole number\./)
  t.equal((await software.get(acme.id, notion.id)).version, notion.version + 2)
})

t.test('assign a seat by hand: a person or an outside email', async t => {
  const page = await asAdmin.get(`/software/${notion.id}`)
  t.match(page.body, `action="/software/${notion.id}/seats"`)
  t.match(page.body, /<datalist id="seat-people">[\s\S]*<option value="quinn@acme.test">Quinn Jones<\/option>/)

  const before = await counts()
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{}, /id="seat-person-error">Choose a person, or enter an outside email address\./],
    [{ person: 'pat@acme.test', external_email: 'x@y.test' }, /id="seat-person-error">Fill in one of the two/],
    [{ person: 'nobody@acme.test' }, /id="seat-person-error">No one in this workspace has the name or email/],
    [{ person: 'olly@acme.test' }, /id="seat-person-error">Olly Gone is offboarded: only active people can hold a seat\./],
    [{ external_email: 'not an email' }, /id="seat-external-error">This address must be a valid email address\./]
  ]
  for (const [form, message] of refused) {
    const res = await asAdmin.post(`/software/${notion.id}/seats`, form)
    t.equal(res.statusCode, 422, JSON.stringify(form))
    t.match(res.body, message)
    if (form.person) t.match(res.body, `value="${form.person}"`, 'the input is kept')
  }
  const held = await asAdmin.post(`/software/${figma.id}/seats`, { person: 'Pat Smith' })
  t.equal(held.statusCode, 422)
  t.match(held.body, /id="seat-person-error">This person already holds an active seat of this software\./)
  t.same(await counts(), before, 'nothing written')

  const res = await asAdmin.post(`/software/${notion.id}/seats`, { person: 'Quinn Jones' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/software/${notion.id}`)
  const [seat] = await app.db('software_assignments').where({ workspace_id: acme.id, software_id: notion.id, user_id: quinn.id })
  t.ok(seat, 'the seat is held')
  t.equal((await app.db('events').where({ workspace_id: acme.id, type: 'software.assigned' }).whereRaw("payload->>'id' = ?", [seat.id])).length, 1, 'software.assigned is in the outbox')
  const after = await asAdmin.get(`/software/${notion.id}`)
  t.match(after.body, 'Quinn Jones now holds a seat of Notion.')
  t.same(seatsIn(after.body), ['quinn@acme.test'])
  t.match(after.body, /id="seats-in-use">1 <span class="muted">of 8<\/span>/)

  const outside = await asAdmin.post(`/software/${notion.id}/seats`, { external_email: 'Contractor@Agency.test' })
  t.equal(outside.statusCode, 303)
  const again = await asAdmin.post(`/software/${notion.id}/seats`, { external_email: 'contractor@agency.test' })
  t.equal(again.statusCode, 422)
  t.match(again.body, /id="seat-external-error">This address already holds an active seat of this software\./)
})

t.test('revoke a seat', async t => {
  const before = await counts()
  t.equal((await asAdmin.post(`/software/${notion.id}/seats/${patFigma.id}/revoke`, {})).statusCode, 404, 'a seat of another title is not found there')
  t.equal((await asAdmin.post(`/software/${figma.id}/seats/${foreignSeat.id}/revoke`, {})).statusCode, 404, 'nor another workspace\'s seat')
  t.same(await counts(), before)

  const res = await asAdmin.post(`/software/${figma.id}/seats/${quinnFigma.id}/revoke`, {})
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/software/${figma.id}`)
  t.ok((await app.db('software_assignments').where({ id: quinnFigma.id }).first()).revoked_at)
  t.equal((await app.db('events').where({ workspace_id: acme.id, type: 'software.revoked' }).whereRaw("payload->>'id' = ?", [quinnFigma.id])).length, 1, 'software.revoked is in the outbox')
  const page = await asAdmin.get(`/software/${figma.id}`)
  t.match(page.body, 'Revoked the Figma seat of Quinn Jones.')
  t.match(page.body, /id="idle-count">1<\/span>/, 'one idle seat fewer')
  t.match(page.body, /id="monthly-spend">US\$155\.00<\/p>/, 'the revoked seat is still paid for: spend counts purchased seats')
  const twice = await asAdmin.post(`/software/${figma.id}/seats/${quinnFigma.id}/revoke`, {})
  t.equal(twice.statusCode, 409)
  t.match(twice.body, 'The Figma seat of Quinn Jones was already revoked, so nothing was done.')
})

t.test('a seat count kept by hand, for a tool with no API', async t => {
  const page = await asAdmin.get(`/software/${vscode.id}`)
  t.match(page.body, /<input id="seat-count" name="manual_seat_count" value="40"/)
  t.match(page.body, /id="seats-in-use">40 <span class="muted">of 50<\/span>/)
  t.match(page.body, 'counted by hand')
  const version = (await software.get(acme.id, vscode.id)).version

  const invalid = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: 'lots', version: String(version) })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, /id="seat-count-error">Seats in use, counted by hand must be a whole number\./)
  t.match(invalid.body, 'value="lots"')
  await software.update(acme.id, systemActor, vscode.id, { vendor: 'Microsoft' }) // someone else saves
  const stale = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '41', version: String(version) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Someone changed VS Code since you opened this page, so the count was not saved.')
  t.match(stale.body, `<input type="hidden" name="version" value="${version + 1}">`, 'the form now carries the new version')
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, 40)

  const res = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '44', version: String(version + 1) })
  t.equal(res.statusCode, 303)
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, 44)
  const after = await asAdmin.get(`/software/${vscode.id}`)
  t.match(after.body, 'VS Code: 44 seats in use, counted by hand.')
  t.match(after.body, /id="monthly-spend">US\$250\.00<\/p>/, 'what is paid: the 50 purchased seats, whatever the count in use')
  t.match(after.body, /<code>software.updated<\/code>/)
  const cleared = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '', version: String(version + 2) })
  t.equal(cleared.statusCode, 303)
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, null)
  t.match((await asAdmin.get(`/software/${vscode.id}`)).body, /id="seats-in-use">0 <span class="muted">of 50<\/span>/)
})

t.test('employees: only the seats they hold, read-only', async t => {
  const mine = await asEli.get('/software')
  t.equal(mine.statusCode, 200)
  t.match(mine.body, 'The software seats you hold.')
  t.match(mine.body, /<td>Figma<\/td>\s*<td class="nowrap"><time[^>]*>[^<]*<\/time><\/td>\s*<td class="nowrap"><span class="muted">never<\/span>/)
  t.match(mine.body, '<td>Slack</td>')
  t.notMatch(mine.body, 'Notion')
  t.notMatch(mine.body, 'href="/software/', 'no links to the admin pages')
  t.notMatch(mine.body, 'Add software')
  for (const url of ['/software.csv', '/software/new', `/software/${figma.id}`, `/software/${figma.id}/edit`]) {
    t.equal((await asEli.get(url)).statusCode, 403, `GET ${url}`)
  }
  const before = await counts()
  for (const url of ['/software/new', `/software/${figma.id}/edit`, `/software/${figma.id}/seats`, `/software/${figma.id}/seats/${eliFigma.id}/revoke`, `/software/${figma.id}/seat-count`]) {
    t.equal((await asEli.post(url, { name: 'Mine', person: 'eli@acme.test', manual_seat_count: '1' })).statusCode, 403, `POST ${url}`)
  }
  t.same(await counts(), before, 'nothing changed')
})

t.test('another workspace\'s ids are not found', async t => {
  for (const url of [`/software/${foreign.id}`, `/software/${foreign.id}/edit`]) t.equal((await asAdmin.get(url)).statusCode, 404, url)
  for (const url of [`/software/${foreign.id}/edit`, `/software/${foreign.id}/seats`, `/software/${foreign.id}/seat-count`, `/software/${foreign.id}/seats/${foreignSeat.id}/revoke`]) {
    t.equal((await asAdmin.post(url, { name: 'Mine', person: 'pat@acme.test', manual_seat_count: '1' })).statusCode, 404, `POST ${url}`)
  }
  t.match(await software.get(other.id, foreign.id), { name: 'Other Figma', version: 1 })
  t.notOk((await app.db('software_assignments').where({ id: foreignSeat.id }).first()).revoked_at)
})
