import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json, type ApiClient } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'
import { ABILITIES, type Ability } from '../core/api/index.ts'

// Every /api route × {no token, revoked, expired, wrong ability, other workspace's token, the
// right ability}: the status each must answer. A route added without a line here fails the test.

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_API_RATE_LIMIT: '100000' })
const alpha = await workspace('alpha')
const bravo = await workspace('bravo')

/** Public routes: the OpenAPI document and Swagger UI, which hold no workspace data. */
const PUBLIC = /^\/api\/docs(\/|$)/

let n = 0
const unique = () => `m${++n}`

async function fixtures (app: FastifyInstance, workspaceId: string) {
  const r = app.registry
  const person = await r.people.create(workspaceId, systemActor, { email: `${unique()}@example.test` })
  const hardware = await r.hardware.create(workspaceId, systemActor, { serial: unique(), name: 'Laptop' })
  const software = await r.software.create(workspaceId, systemActor, { name: unique() })
  const seat = await r.software.assignSeat(workspaceId, systemActor, software.id, { externalEmail: `${unique()}@guest.test` })
  const request = await r.requests.create(workspaceId, systemActor, { requester_id: person.id, category: 'laptop' })
  const { subscription: webhook } = await app.webhooks.create(workspaceId, systemActor, { url: 'https://hooks.example.test/in', events: ['*'] })
  const delivery = await app.webhooks.ping(workspaceId, systemActor, webhook.id)
  return { person, hardware, software, seat, request, webhook, delivery }
}

interface Call { id?: string, deliveryId?: string, body?: unknown, ok: number }
type Spec = { abilities: Ability[], call: () => Promise<Call> }

// Each call makes the records it needs in alpha, so an action always meets a record it may act on.
const r = app.registry
const base = await fixtures(app, alpha.id)
const SPECS: Record<string, Spec> = {
  'GET /api/hardware': { abilities: ['hardware:read'], call: async () => ({ ok: 200 }) },
  'GET /api/hardware/:id': { abilities: ['hardware:read'], call: async () => ({ id: base.hardware.id, ok: 200 }) },
  'POST /api/hardware': { abilities: ['hardware:write'], call: async () => ({ body: { serial: unique(), name: 'New' }, ok: 201 }) },
  'PATCH /api/hardware/:id': { abilities: ['hardware:write'], call: async () => ({ id: base.hardware.id, body: { notes: unique() }, ok: 200 }) },
  'POST /api/hardware/:id/assign': {
    abilities: ['hardware:write'],
    call: async () => ({ id: (await r.hardware.create(alpha.id, systemActor, { serial: unique(), name: 'x' })).id, body: { user_id: base.person.id }, ok: 200 })
  },
  'POST /api/hardware/:id/recover': {
    abilities: ['hardware:write'],
    call: async () => {
      const hw = await r.hardware.create(alpha.id, systemActor, { serial: unique(), name: 'x' })
      await r.hardware.assign(alpha.id, systemActor, hw.id, base.person.id)
      return { id: hw.id, ok: 200 }
    }
  },
  'GET /api/users': { abilities: ['users:read'], call: async () => ({ ok: 200 }) },
  'GET /api/users/:id': { abilities: ['users:read'], call: async () => ({ id: base.person.id, ok: 200 }) },
  'POST /api/users': { abilities: ['users:write'], call: async () => ({ body: { email: `${unique()}@example.test` }, ok: 201 }) },
  'PATCH /api/users/:id': { abilities: ['users:write'], call: async () => ({ id: base.person.id, body: { job_title: unique() }, ok: 200 }) },
  'POST /api/users/:id/offboard': {
    abilities: ['users:write'],
    call: async () => ({ id: (await r.people.create(alpha.id, systemActor, { email: `${unique()}@example.test` })).id, ok: 200 })
  },
  'GET /api/software': { abilities: ['software:read'], call: async () => ({ ok: 200 }) },
  'GET /api/software/:id': { abilities: ['software:read'], call: async () => ({ id: base.software.id, ok: 200 }) },
  'POST /api/software': { abilities: ['software:write'], call: async () => ({ body: { name: unique() }, ok: 201 }) },
  'PATCH /api/software/:id': { abilities: ['software:write'], call: async () => ({ id: base.software.id, body: { vendor: unique() }, ok: 200 }) },
  'GET /api/assignments': { abilities: ['software:read'], call: async () => ({ ok: 200 }) },
  'GET /api/assignments/:id': { abilities: ['software:read'], call: async () => ({ id: base.seat.id, ok: 200 }) },
  'POST /api/assignments': {
    abilities: ['software:write'],
    call: async () => ({ body: { software_id: base.software.id, external_email: `${unique()}@guest.test` }, ok: 201 })
  },
  'DELETE /api/assignments/:id': {
    abilities: ['software:write'],
    call: async () => ({ id: (await r.software.assignSeat(alpha.id, systemActor, base.software.id, { externalEmail: `${unique()}@guest.test` })).id, ok: 200 })
  },
  'POST /api/assignments/:id/revoke': {
    abilities: ['software:write'],
    call: async () => ({ id: (await r.software.assignSeat(alpha.id, systemActor, base.software.id, { externalEmail: `${unique()}@guest.test` })).id, ok: 200 })
  },
  'GET /api/requests': { abilities: ['hardware:read'], call: async () => ({ ok: 200 }) },
  'GET /api/requests/:id': { abilities: ['hardware:read'], call: async () => ({ id: base.request.id, ok: 200 }) },
  'POST /api/requests': { abilities: ['hardware:write'], call: async () => ({ body: { requester_id: base.person.id, category: 'monitor' }, ok: 201 }) },
  'POST /api/requests/:id/approve': {
    abilities: ['hardware:write'],
    call: async () => ({ id: (await r.requests.create(alpha.id, systemActor, { requester_id: base.person.id, category: 'a' })).id, ok: 200 })
  },
  'POST /api/requests/:id/reject': {
    abilities: ['hardware:write'],
    call: async () => ({ id: (await r.requests.create(alpha.id, systemActor, { requester_id: base.person.id, category: 'a' })).id, body: { reason: 'No' }, ok: 200 })
  },
  'POST /api/requests/:id/fulfil': {
    abilities: ['hardware:write'],
    call: async () => {
      const request = await r.requests.create(alpha.id, systemActor, { requester_id: base.person.id, category: 'a' })
      await r.requests.approve(alpha.id, systemActor, request.id)
      const hw = await r.hardware.create(alpha.id, systemActor, { serial: unique(), name: 'x' })
      return { id: request.id, body: { hardware_id: hw.id }, ok: 200 }
    }
  },
  'GET /api/audit': { abilities: ['hardware:read', 'users:read', 'software:read'], call: async () => ({ ok: 200 }) },
  'GET /api/webhooks': { abilities: ['webhooks:manage'], call: async () => ({ ok: 200 }) },
  'GET /api/webhooks/:id': { abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, ok: 200 }) },
  'POST /api/webhooks': { abilities: ['webhooks:manage'], call: async () => ({ body: { url: 'https://hooks.example.test/new', events: ['hardware.created'] }, ok: 201 }) },
  'PATCH /api/webhooks/:id': { abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, body: { events: ['hardware.updated'] }, ok: 200 }) },
  'DELETE /api/webhooks/:id': {
    abilities: ['webhooks:manage'],
    call: async () => ({ id: (await app.webhooks.create(alpha.id, systemActor, { url: 'https://hooks.example.test/gone', events: ['*'] })).subscription.id, ok: 204 })
  },
  'POST /api/webhooks/:id/test': { abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, ok: 202 }) },
  'GET /api/webhooks/:id/deliveries': { abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, ok: 200 }) },
  'GET /api/webhooks/:id/deliveries/:deliveryId': { abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, deliveryId: base.delivery.id, ok: 200 }) },
  'POST /api/webhooks/:id/deliveries/:deliveryId/redeliver': {
    abilities: ['webhooks:manage'], call: async () => ({ id: base.webhook.id, deliveryId: base.delivery.id, ok: 202 })
  }
}

const apiRoutes = app.routeList.filter(route => route.url.startsWith('/api/') && !PUBLIC.test(route.url))
const send = (client: ApiClient | null, method: string, url: string, body?: unknown) => client
  ? client.call(method, url, body)
  : app.inject({ method: method as 'GET', url, ...(body === undefined ? {} : { payload: body as object }) })

t.test('every API route is in the matrix, and the matrix names only real routes', async t => {
  const names = apiRoutes.map(route => `${route.method} ${route.url}`)
  t.same(names.filter(name => !(name in SPECS)), [], 'routes without a spec')
  t.same(Object.keys(SPECS).filter(name => !names.includes(name)), [], 'specs without a route')
  t.ok(app.routeList.some(route => route.url === '/api/docs/json'), 'the docs are served (publicly)')
  t.equal((await app.inject({ url: '/api/docs/json' })).statusCode, 200)
})

t.test('no token, revoked, expired → 401; wrong ability → 403; other workspace → 404 or its own data; right ability → success', async t => {
  const revoked = await apiClient(app, alpha.id)
  await app.apiTokens.revoke(alpha.id, systemActor, revoked.tokenId)
  const expired = await apiClient(app, alpha.id, [], 30)
  await app.db('api_tokens').where({ workspace_id: alpha.id, id: expired.tokenId }).update({ expires_at: app.db.raw("now() - interval '1 minute'") })
  const bravoToken = await apiClient(app, bravo.id)
  const bravoFixtures = await fixtures(app, bravo.id)
  const alphaIds = Object.values(base).map(record => record.id)

  for (const route of apiRoutes) {
    const name = `${route.method} ${route.url}`
    const spec = SPECS[name]
    const { id, deliveryId, body, ok } = await spec.call()
    const url = (id ? route.url.replace(':id', id) : route.url).replace(':deliveryId', deliveryId ?? '')

    isProblem(t, await send(null, route.method, url, body), 401, 'Authorization', 'missing')
    isProblem(t, await send(revoked, route.method, url, body), 401, 'Authorization', 'revoked')
    isProblem(t, await send(expired, route.method, url, body), 401, 'Authorization', 'expired')

    const others = ABILITIES.filter(a => !spec.abilities.includes(a))
    const wrong = await apiClient(app, alpha.id, [...others, ...spec.abilities.slice(1)])
    const denied = isProblem(t, await send(wrong, route.method, url, body), 403, 'Authorization', 'ability')
    t.same(denied.missing_abilities, spec.abilities.slice(0, 1), `${name}: names the missing ability`)

    const elsewhere = await send(bravoToken, route.method, url, body)
    if (id) {
      isProblem(t, elsewhere, 404)
    } else if (elsewhere.statusCode < 300) {
      const text = elsewhere.body
      t.notOk(alphaIds.some(alphaId => text.includes(alphaId)), `${name} with bravo's token shows none of alpha's records`)
      if (route.method === 'GET') t.ok(json(elsewhere).data.length > 0 || route.url === '/api/audit', `${name}: bravo sees its own`)
    } else {
      isProblem(t, elsewhere, 422, undefined)
      t.match(json(elsewhere).errors, [{ rule: 'exists' }], `${name}: alpha's ids in the body do not exist for bravo`)
    }

    const exact = await apiClient(app, alpha.id, spec.abilities)
    const res = await send(exact, route.method, url, body)
    t.equal(res.statusCode, ok, `${name} with exactly ${spec.abilities.join(', ')}: ${res.body.slice(0, 200)}`)
  }
  t.equal((await r.hardware.get(bravo.id, bravoFixtures.hardware.id)).version, 1, 'nothing of bravo\'s was changed from alpha\'s ids')
})
