import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const api = await apiClient(app, acme.id)
const pat = await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat' })
const foreign = await app.registry.hardware.create(other.id, systemActor, { serial: 'OTHER-1', name: 'Their laptop' })

t.test('create with just serial and name; audited as the token; emits hardware.created', async t => {
  const res = await api.call('POST', '/api/hardware', { serial: 'C02XYZ', name: 'MacBook Pro' })
  t.equal(res.statusCode, 201)
  const hw = json(res)
  t.match(hw, { serial: 'C02XYZ', name: 'MacBook Pro', asset_tag: 'ACME-000001', status: 'available', version: 1, specifications: {} })
  t.equal(res.headers.location, `/api/hardware/${hw.id}`)
  t.equal(res.headers.etag, '"1"')
  t.notOk('workspace_id' in hw, 'the workspace is not part of the record')
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'hardware.created', target_id: hw.id }).first()
  t.match(audit, { actor_type: 'token', actor_id: api.tokenId, actor_label: 'API token "test all"' })
  t.ok(await app.db('events').where({ workspace_id: acme.id, type: 'hardware.created' }).whereRaw("payload->>'id' = ?", [hw.id]).first(), 'event in the outbox')
})

t.test('bad input names the field and rule; unknown fields are refused; nothing is written', async t => {
  const before = await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' })
  isProblem(t, await api.call('POST', '/api/hardware', { name: 'No serial' }), 400, 'serial', 'required')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'X', name: 'Y', colour: 'red' }), 400, 'colour', 'unknown')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'X', name: 'Y', status: 'broken' }), 400, 'status', 'enum')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'X', name: 'Y', purchase_price: '12' }), 400, 'purchase_price', 'type')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'X', name: 'Y', mac_address: 'nope' }), 400, 'mac_address', 'format')
  const both = isProblem(t, await api.call('POST', '/api/hardware', { name: 'Y', warranty_end: '2025-13-40' }), 400)
  t.same(both.errors.map((e: { field: string }) => e.field).sort(), ['serial', 'warranty_end'], 'every problem is listed')
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'C02XYZ', name: 'Duplicate' }), 422, 'serial', 'unique')
  const recased = isProblem(t, await api.call('POST', '/api/hardware', { serial: 'c02xyz', name: 'Duplicate, small letters' }), 422, 'serial', 'unique')
  t.match(recased.errors, [{ field: 'serial', rule: 'unique', message: /ignoring case/ }])
  isProblem(t, await api.call('POST', '/api/hardware', { serial: 'Z', name: 'Z', status: 'assigned' }), 422, 'status', 'transition')
  const invalidJson = await app.inject({ method: 'POST', url: '/api/hardware', headers: { authorization: `Bearer ${api.secret}`, 'content-type': 'application/json' }, payload: '{"serial":' })
  isProblem(t, invalidJson, 400, 'body', 'json')
  t.same(await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }), before)
})

t.test('list: filters, sort, keyset pages with a next cursor, limit at most 200', async t => {
  for (let i = 0; i < 5; i++) {
    await app.registry.hardware.create(acme.id, systemActor, { serial: `LIST-${i}`, name: `Dell ${String.fromCharCode(69 - i)}`, manufacturer: i % 2 ? 'Dell' : 'Lenovo', category: 'laptop' })
  }
  const all = json(await api.call('GET', '/api/hardware?limit=200'))
  t.equal(all.data.length, 6)
  t.equal(all.next, null)

  const seen: string[] = []
  let url = '/api/hardware?limit=2&sort=name&dir=desc'
  for (let pages = 0; url && pages < 10; pages++) {
    const page = json(await api.call('GET', url))
    t.ok(page.data.length <= 2)
    seen.push(...page.data.map((h: { name: string }) => h.name))
    url = page.next ? `/api/hardware?limit=2&sort=name&dir=desc&cursor=${page.next}` : ''
  }
  t.same(seen, [...seen].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())), 'pages continue in order')
  t.equal(new Set(seen).size, 6, 'every row once')

  const dell = json(await api.call('GET', '/api/hardware?manufacturer=Dell&category=laptop'))
  t.equal(dell.data.length, 2)
  t.ok(dell.data.every((h: { manufacturer: string }) => h.manufacturer === 'Dell'))
  t.equal(json(await api.call('GET', '/api/hardware?status=retired')).data.length, 0)

  isProblem(t, await api.call('GET', '/api/hardware?limit=201'), 400, 'limit', 'maximum')
  isProblem(t, await api.call('GET', '/api/hardware?status=shiny'), 400, 'status', 'enum')
  isProblem(t, await api.call('GET', '/api/hardware?sort=price'), 400, 'sort', 'enum')
  isProblem(t, await api.call('GET', '/api/hardware?colour=red'), 400, 'colour', 'unknown')
  isProblem(t, await api.call('GET', '/api/hardware?cursor=garbage'), 400, 'cursor', 'cursor')
  const page = json(await api.call('GET', '/api/hardware?limit=1'))
  isProblem(t, await api.call('GET', `/api/hardware?limit=1&sort=name&cursor=${page.next}`), 400, 'cursor', 'cursor')
  t.notOk(json(await api.call('GET', '/api/hardware?limit=200')).data.some((h: { id: string }) => h.id === foreign.id), 'never another workspace\'s')
})

t.test('get, and 404 for unknown, malformed and other workspaces\' ids', async t => {
  const [hw] = json(await api.call('GET', '/api/hardware?limit=1')).data
  const res = await api.call('GET', `/api/hardware/${hw.id}`)
  t.equal(res.statusCode, 200)
  t.equal(json(res).id, hw.id)
  t.equal(res.headers.etag, `"${hw.version}"`)
  isProblem(t, await api.call('GET', '/api/hardware/00000000-0000-4000-8000-000000000000'), 404)
  isProblem(t, await api.call('GET', '/api/hardware/not-an-id'), 404)
  isProblem(t, await api.call('GET', `/api/hardware/${foreign.id}`), 404)
  isProblem(t, await api.call('PATCH', `/api/hardware/${foreign.id}`, { name: 'Mine now' }), 404)
  t.equal((await app.registry.hardware.get(other.id, foreign.id)).name, 'Their laptop')
})

t.test('PATCH changes the fields given; If-Match and version guard against lost updates', async t => {
  const hw = await app.registry.hardware.create(acme.id, systemActor, { serial: 'PATCH-1', name: 'Old name' })
  const res = await api.call('PATCH', `/api/hardware/${hw.id}`, { name: 'New name', notes: 'Dented' }, { 'if-match': '"1"' })
  t.equal(res.statusCode, 200)
  t.match(json(res), { name: 'New name', notes: 'Dented', serial: 'PATCH-1', version: 2 })
  t.equal(res.headers.etag, '"2"')
  const changes = (await app.db('events').where({ workspace_id: acme.id, type: 'hardware.updated' }).whereRaw("payload->>'id' = ?", [hw.id]).first()).payload.changes
  t.same(changes.name, { old: 'Old name', new: 'New name' }, 'the event carries old -> new')

  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { name: 'Lost update' }, { 'if-match': '"1"' }), 412, 'If-Match', 'stale')
  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { name: 'Lost update', version: 1 }), 409, 'version', 'stale')
  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { name: 'x' }, { 'if-match': 'yesterday' }), 400, 'If-Match', 'format')
  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { name: 'x', version: 3 }, { 'if-match': '"2"' }), 400, 'version', 'if_match')
  isProblem(t, await api.call('PATCH', `/api/hardware/${hw.id}`, { asset_tag: 'X', owner: 'me' }), 400, 'owner', 'unknown')
  t.equal((await app.registry.hardware.get(acme.id, hw.id)).name, 'New name', 'refused writes changed nothing')
  t.equal(json(await api.call('PATCH', `/api/hardware/${hw.id}`, { status: 'in_repair', version: 2 })).status, 'in_repair')
})

t.test('assign and recover', async t => {
  const hw = await app.registry.hardware.create(acme.id, systemActor, { serial: 'ASSIGN-1', name: 'ThinkPad' })
  isProblem(t, await api.call('POST', `/api/hardware/${hw.id}/assign`, {}), 400, 'user_id', 'required')
  isProblem(t, await api.call('POST', `/api/hardware/${hw.id}/assign`, { user_id: '00000000-0000-4000-8000-000000000000' }), 422, 'user_id', 'exists')
  const assigned = await api.call('POST', `/api/hardware/${hw.id}/assign`, { user_id: pat.id, note: 'Day one', version: 1 })
  t.equal(assigned.statusCode, 200)
  t.match(json(assigned), { status: 'assigned', assigned_user_id: pat.id, version: 2 })
  t.ok(await app.db('events').where({ workspace_id: acme.id, type: 'hardware.assigned' }).whereRaw("payload->>'id' = ?", [hw.id]).first())
  isProblem(t, await api.call('POST', `/api/hardware/${hw.id}/assign`, { user_id: pat.id }), 422, 'status', 'transition')

  const recovered = await api.call('POST', `/api/hardware/${hw.id}/recover`)
  t.equal(recovered.statusCode, 200, 'no body needed')
  t.match(json(recovered), { status: 'available', assigned_user_id: null })
  isProblem(t, await api.call('POST', `/api/hardware/${hw.id}/recover`, { condition: 'poor' }), 422, 'status', 'transition')
  isProblem(t, await api.call('POST', `/api/hardware/${hw.id}/recover`, { condition: 'melted' }), 400, 'condition', 'enum')
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, target_id: hw.id }).orderBy('id').pluck('action')
  t.same(audit, ['hardware.created', 'hardware.assigned', 'hardware.recovered'])
})

t.test('unknown API addresses are problem documents too', async t => {
  const res = isProblem(t, await api.call('GET', '/api/gadgets'), 404)
  t.match(res.detail, /GET \/api\/gadgets/)
  isProblem(t, await api.call('DELETE', '/api/hardware'), 404)
})
