import t from 'tap'
import { systemActor } from '../core/audit/index.ts'
import { hardwarePages } from './helpers/hardware-pages.ts'

// Creating, editing, assigning and recovering hardware, what employees may do, CSRF, and look-up
// by serial, as admins without JavaScript use them. The list and detail: pages-hardware.test.ts.

const { app, acme, r, quinn, mbp, thinkpad, phone, evil, tagsIn, asAdmin, asEli } = await hardwarePages(t)

t.test('create', async t => {
  const form = await asAdmin.get('/hardware/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<fieldset class="form-section">\s*<legend>Identity<\/legend>/)
  t.match(form.body, /<label for="hw-serial">Serial number<\/label>/)
  t.notMatch(form.body, 'Look up by serial', 'no lookup without a connected integration')

  const count = async () => Number((await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)
  const audits = async () => Number((await app.db('audit_log').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)

  t.test('invalid input: inline errors beside each field, input kept, nothing written', async t => {
    const before = { hardware: await count(), audit: await audits() }
    const res = await asAdmin.post('/hardware/new', {
      serial: 'SN-TP-1', name: '', mac_address: 'not-a-mac', purchase_price: '12,50', model: 'Keep <me>', notes: 'typed notes'
    })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The hardware was not saved. Correct the fields marked below.')
    t.match(res.body, /<input id="hw-name" name="name" value="" required aria-required="true" maxlength="255" aria-describedby="hw-name-hint hw-name-error" aria-invalid="true"/)
    t.match(res.body, /<p class="field-error" id="hw-name-error">Name must not be empty\.<\/p>/)
    t.match(res.body, /id="hw-mac-address-error">MAC address must be a MAC address/)
    t.match(res.body, /id="hw-purchase-price-error">Purchase price must be a number\.<\/p>/)
    t.match(res.body, 'value="Keep &lt;me&gt;"', 'typed values are kept (escaped)')
    t.match(res.body, '>typed notes</textarea>')
    t.match(res.body, 'value="not-a-mac"')
    t.same({ hardware: await count(), audit: await audits() }, before, 'nothing written')

    const duplicate = await asAdmin.post('/hardware/new', { serial: 'SN-TP-1', name: 'Second ThinkPad' })
    t.equal(duplicate.statusCode, 422)
    t.match(duplicate.body, /id="hw-serial-error">Serial number is already used by other hardware in this workspace \(serial numbers are compared ignoring case\)\.<\/p>/)
    const recased = await asAdmin.post('/hardware/new', { serial: 'sn-tp-1', name: 'Second ThinkPad' })
    t.equal(recased.statusCode, 422, 'the same serial in small letters is the same device')
    t.match(recased.body, /id="hw-serial-error">Serial number is already used by other hardware in this workspace \(serial numbers are compared ignoring case\)\.<\/p>/)
    t.equal(await count(), before.hardware)
  })

  t.test('valid input registers it with the next asset tag and opens its page', async t => {
    const res = await asAdmin.post('/hardware/new', {
      serial: 'SN-NEW-1',
      name: 'Surface Laptop',
      category: 'laptop',
      manufacturer: 'Microsoft',
      mac_address: '3c-22-fb-0a-1b-2c',
      purchase_price: '1299.50',
      purchase_date: '2024-05-01',
      status: 'available',
      condition: 'new'
    })
    t.equal(res.statusCode, 303)
    const created = await app.db('hardware').where({ workspace_id: acme.id, serial: 'SN-NEW-1' }).first()
    t.equal(res.headers.location, `/hardware/${created.id}`)
    t.match(created, { name: 'Surface Laptop', asset_tag: 'ACME-000001', mac_address: '3C:22:FB:0A:1B:2C', purchase_price: '1299.50', condition: 'new', source: 'manual' })
    const page = await asAdmin.get(res.headers.location as string)
    t.match(page.body, 'Registered ACME-000001 Surface Laptop.', 'a flash message')
  })
})

t.test('edit', async t => {
  const form = await asAdmin.get(`/hardware/${thinkpad.id}/edit`)
  t.equal(form.statusCode, 200)
  const current = await r.get(acme.id, thinkpad.id)
  t.match(form.body, `<input type="hidden" name="version" value="${current.version}">`)
  t.match(form.body, 'value="ThinkPad X1"')
  t.match(form.body, /<select id="hw-status" name="status" aria-describedby="hw-status-hint">/)
  const assignedForm = await asAdmin.get(`/hardware/${mbp.id}/edit`)
  t.match(assignedForm.body, /<select id="hw-status" name="status" disabled/, 'an assigned status is not edited here')

  const fields = { serial: 'SN-TP-1', name: 'ThinkPad X1 Carbon', asset_tag: 'A-002', category: 'laptop', manufacturer: 'Lenovo', model: '21HM', status: 'available', condition: 'good' }

  t.test('saved at the version it was opened with', async t => {
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, version: String(current.version) })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, `/hardware/${thinkpad.id}`)
    const saved = await r.get(acme.id, thinkpad.id)
    t.equal(saved.name, 'ThinkPad X1 Carbon')
    t.equal(saved.version, current.version + 1)
    const again = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, version: String(saved.version) })
    t.equal(again.statusCode, 303)
    t.match((await asAdmin.get(`/hardware/${thinkpad.id}`)).body, 'Nothing to save: A-002 is unchanged.')
  })

  t.test('a stale version is refused with a message, the input kept and the saved values shown', async t => {
    const saved = await r.get(acme.id, thinkpad.id)
    await r.update(acme.id, systemActor, thinkpad.id, { model: '21HN' }) // someone else saves
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, name: 'My new name', version: String(saved.version) })
    t.equal(res.statusCode, 409)
    t.match(res.body, 'Not saved: someone else changed this hardware while you were editing it.')
    t.match(res.body, 'value="My new name"', 'the input is kept')
    t.match(res.body, /id="hw-model-saved">Saved now: <strong>21HN<\/strong>/, 'what the other person saved')
    t.match(res.body, `<input type="hidden" name="version" value="${saved.version + 1}">`, 'saving again is a deliberate overwrite')
    const after = await r.get(acme.id, thinkpad.id)
    t.equal(after.name, 'ThinkPad X1 Carbon', 'nothing of the stale edit was written')
    t.equal(after.model, '21HN')
  })

  t.test('invalid input is refused inline with the input kept', async t => {
    const saved = await r.get(acme.id, thinkpad.id)
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, asset_tag: '', warranty_end: '2024-02-30', version: String(saved.version) })
    t.equal(res.statusCode, 422)
    t.match(res.body, /id="hw-asset-tag-error">Asset tag must not be empty\./)
    t.match(res.body, /id="hw-warranty-end-error">Warranty ends must be a date/)
    t.match(res.body, 'value="2024-02-30"')
    t.equal((await r.get(acme.id, thinkpad.id)).version, saved.version)
  })
})

t.test('assign and recover', async t => {
  const page = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(page.body, `action="/hardware/${thinkpad.id}/assign"`)
  t.match(page.body, /<datalist id="assign-people">[\s\S]*<option value="quinn@acme.test">Quinn Jones<\/option>/)
  t.notMatch(page.body, 'olly@acme.test', 'offboarded people are not offered')
  const options = await asAdmin.get('/hardware/assignees?person=quin', { 'hx-request': 'true' })
  t.equal(options.body.trim(), '<option value="quinn@acme.test">Quinn Jones</option>')

  let version = (await r.get(acme.id, thinkpad.id)).version
  const offboarded = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'olly@acme.test', version: String(version) })
  t.equal(offboarded.statusCode, 422)
  t.match(offboarded.body, /id="assign-person-error">Olly Gone is offboarded: only active people can be given hardware\./)
  t.match(offboarded.body, 'value="olly@acme.test"', 'the input is kept')
  const nobody = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'nobody@acme.test', version: String(version) })
  t.match(nobody.body, 'No one in this workspace has the name or email')
  const stale = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'quinn@acme.test', version: String(version - 1) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Someone else changed this hardware since you opened the page')

  const res = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'Quinn Jones', note: 'Desk 4', version: String(version) })
  t.equal(res.statusCode, 303)
  let hw = await r.get(acme.id, thinkpad.id)
  t.match(hw, { status: 'assigned', assigned_user_id: quinn.id })
  const assigned = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(assigned.body, 'A-002 is now assigned to Quinn Jones.')
  t.match(assigned.body, /Quinn Jones<span class="cell-note">quinn@acme.test<\/span>[\s\S]*Desk 4/)

  const twice = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'pat@acme.test', version: String(hw.version) })
  t.equal(twice.statusCode, 422)
  t.match(twice.body, 'A-002 is already assigned; recover it before assigning it again.')

  version = hw.version
  const recovered = await asAdmin.post(`/hardware/${thinkpad.id}/recover`, { condition: 'fair', note: 'Scratched lid', version: String(version) })
  t.equal(recovered.statusCode, 303)
  hw = await r.get(acme.id, thinkpad.id)
  t.match(hw, { status: 'available', assigned_user_id: null, condition: 'fair' })
  const history = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(history.body, 'A-002 is recovered and available again.')
  t.match(history.body, /<code>hardware.recovered<\/code>/)
  const again = await asAdmin.post(`/hardware/${thinkpad.id}/recover`, { version: String(hw.version) })
  t.equal(again.statusCode, 422)
  t.match(again.body, 'is not assigned (it is available), so there is nothing to recover')
})

t.test('employees: only their own hardware, and no admin actions', async t => {
  const list = await asEli.get('/hardware')
  t.equal(list.statusCode, 200)
  t.same(tagsIn(list.body), ['A-004'])
  t.notMatch(list.body, 'href="/hardware/new"')
  t.notMatch(list.body, 'id="hw-f-manufacturer"', 'only search and status to filter by')
  t.same(tagsIn((await asEli.get('/hardware?q=macbook')).body), [])
  const csv = await asEli.get('/hardware.csv')
  t.equal(csv.body.trim().split('\r\n').length, 2, 'their export holds their own hardware')

  const own = await asEli.get(`/hardware/${phone.id}`)
  t.equal(own.statusCode, 200)
  t.notMatch(own.body, '/edit"')
  t.notMatch(own.body, 'Audit trail')
  t.notMatch(own.body, '/assign"')
  t.equal((await asEli.get(`/hardware/${mbp.id}`)).statusCode, 404, 'someone else\'s hardware is not found')

  t.equal((await asEli.get('/hardware/new')).statusCode, 403)
  t.equal((await asEli.get(`/hardware/${phone.id}/edit`)).statusCode, 403)
  for (const url of ['/hardware/new', '/hardware/lookup', `/hardware/${phone.id}/edit`, `/hardware/${phone.id}/assign`, `/hardware/${phone.id}/recover`]) {
    const res = await asEli.post(url, { serial: 'SN-X', name: 'Mine now', person: 'eli@acme.test' })
    t.equal(res.statusCode, 403, `POST ${url}`)
  }
  t.equal((await r.get(acme.id, phone.id)).name, 'iPhone 15', 'nothing changed')
})

t.test('forms need the CSRF token', async t => {
  const res = await asAdmin.post('/hardware/new', { serial: 'SN-CSRF', name: 'No token' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.notOk(await app.db('hardware').where({ serial: 'SN-CSRF' }).first())
})

t.test('look up by serial, when a device-management integration is connected', async t => {
  const plugin = app.integrations.plugin('fixture-mdm')!
  await app.integrations.settings.save(acme.id, systemActor, plugin, {}, { enabled: true })
  const form = await asAdmin.get('/hardware/new')
  t.match(form.body, />Look up by serial<\/button>/)
  t.match(form.body, 'Fills in the device details from Fixture MDM.')
  t.match(form.body, 'aria-describedby="hw-serial-lookup"')
  const edit = await asAdmin.get(`/hardware/${evil.id}/edit`)
  t.match(edit.body, 'Look up by serial', 'on the edit form too')

  const htmx = { 'hx-request': 'true', 'hx-target': 'hardware-fields' }
  const found = await asAdmin.post('/hardware/lookup', { serial: 'c02lookup1', name: '', cpu: '', ram: '16 GB' }, { headers: htmx })
  t.equal(found.statusCode, 200)
  t.match(found.body, /^<div id="hardware-fields">/, 'a form fragment')
  t.match(found.body, 'Found in Fixture MDM. Filled in: manufacturer, model, operating system, OS version, MAC address, warranty end, name.')
  for (const [id, value] of [['hw-manufacturer', 'Apple'], ['hw-model', 'MacBook Pro 14 (M3 Pro)'], ['hw-os', 'macOS'], ['hw-os-version', '14.5'], ['hw-mac-address', '3c:22:fb:0a:1b:2c'], ['hw-warranty-end', '2027-03-31'], ['hw-name', 'Design MacBook']]) {
    t.match(found.body, new RegExp(`<input id="${id}" name="[a-z_]+" value="${value.replace(/[()]/g, '\\$&')}"`), `${id} filled`)
  }
  t.match(found.body, /id="hw-cpu-suggestion">Suggested: <strong>Apple M3 Pro<\/strong>/, 'CPU suggested')
  t.match(found.body, /id="hw-ram-suggestion">Suggested: <strong>18 GB<\/strong>/, 'RAM suggested beside what was typed')
  t.match(found.body, 'value="16 GB"', 'a typed value is not overwritten by a suggestion')
  t.match(found.body, /id="hw-storage-suggestion">Suggested: <strong>512 GB SSD<\/strong>/)
  t.match(found.body, /<dt>colour<\/dt><dd>Space Black<\/dd>/, 'the reported specifications')

  const decomposed = await asAdmin.post('/hardware/lookup', { serial: 'cafe\u0301-lookup2', name: '' }, { headers: htmx })
  t.match(decomposed.body, 'Found in Fixture MDM.', 'a serial typed in NFD (as on a Mac) and small letters is found')

  const unknown = await asAdmin.post('/hardware/lookup', { serial: 'NOPE', name: 'Typed' }, { headers: htmx })
  t.match(unknown.body, 'No connected integration knows the serial number NOPE.')
  t.match(unknown.body, 'value="Typed"')
  const blank = await asAdmin.post('/hardware/lookup', { serial: '' }, { headers: htmx })
  t.equal(blank.statusCode, 422)
  t.match(blank.body, /id="hw-serial-error">Enter a serial number to look it up\./)
  const page = await asAdmin.post('/hardware/lookup', { serial: 'C02LOOKUP1', hardware_id: evil.id, version: '1' })
  t.match(page.body, '<h1>Edit A-005</h1>', 'without htmx: the whole form page')
  t.match(page.body, `action="/hardware/${evil.id}/edit"`)

  await app.integrations.settings.save(acme.id, systemActor, plugin, {}, { enabled: false })
  t.notMatch((await asAdmin.get('/hardware/new')).body, 'Look up by serial', 'hidden again once disabled')
})
