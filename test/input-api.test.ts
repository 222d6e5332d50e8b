// Bad input at /api, route by route as the OpenAPI document lists them: NUL characters, dates
// PostgreSQL has no year for, JSON nested too deep. Each is a 400 problem naming the field and
// the rule, never a 500, and nothing is written.
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'
import { toProblem } from '../core/api/problem.ts'

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' })
const acme = await workspace('acme')
const api = await apiClient(app, acme.id)
const person = await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test' })
const hardware = await app.registry.hardware.create(acme.id, systemActor, { serial: 'C02-1', name: 'MacBook' })
const software = await app.registry.software.create(acme.id, systemActor, { name: 'Figma' })
const request = await app.registry.requests.create(acme.id, systemActor, { requester_id: person.id, category: 'laptop' })
const webhook = json(await api.call('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] }))

interface Operation { requestBody?: { content: Record<string, { schema: Schema }> }, parameters?: Array<{ in: string, name: string, schema: Schema }> }
interface Schema { type?: string | string[], format?: string, properties?: Record<string, Schema>, required?: string[] }
const doc = json(await api.call('GET', '/api/docs/json')) as { paths: Record<string, Record<string, Operation>> }

const ids: Record<string, string> = { hardware: hardware.id, users: person.id, software: software.id, requests: request.id, webhooks: webhook.id }
/** A real path for a documented one: each {id} the id of a record of its kind. */
const realPath = (path: string) => path.replace(/\/(\w+)\/\{id\}/, (_m, kind: string) => `/${kind}/${ids[kind] ?? hardware.id}`).replace('{deliveryId}', hardware.id)

/** Valid values for the fields a body requires, so a refusal is only ever about the field under test. */
const VALID: Record<string, unknown> = {
  serial: 'NEW-1',
  name: 'Name',
  email: 'new@acme.test',
  requester_id: person.id,
  category: 'laptop',
  user_id: person.id,
  software_id: software.id,
  hardware_id: hardware.id,
  reason: 'No budget',
  url: 'http://127.0.0.1:9/other',
  events: ['*']
}
const bodyOf = (schema: Schema, field: string, value: unknown) => ({ ...Object.fromEntries((schema.required ?? []).map(r => [r, VALID[r]])), [field]: value })
const typesOf = (s: Schema) => [s.type ?? []].flat()

const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
const jsonBody = (op: Operation) => op.requestBody?.content['application/json']?.schema

const TABLES = ['hardware', 'users', 'software', 'software_assignments', 'asset_requests', 'webhook_subscriptions', 'audit_log', 'events']
const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async table =>
  [table, Number((await app.db(table).where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)])))

const N = '\u0000'

t.test('a NUL in any string of any body, query or path is a 400 naming the field (rule nul); nothing is written', async t => {
  const before = await counts()
  let sent = 0
  for (const { path, method, op } of operations) {
    const schema = jsonBody(op)
    for (const [field, property] of Object.entries(schema?.properties ?? {})) {
      const types = typesOf(property)
      const values: Array<[unknown, string]> = types.includes('object')
        ? [[{ cpu: `M3${N}` }, `${field}.cpu`], [{ [`c${N}pu`]: 'M3' }, `${field}.c\\u0000pu`]]
        : types.includes('array') ? [[[`a${N}`], `${field}.0`]] : types.includes('string') ? [[`x${N}y`, field]] : []
      for (const [value, named] of values) {
        isProblem(t, await api.call(method, realPath(path), bodyOf(schema!, field, value)), 400, named, 'nul')
        sent++
      }
    }
    for (const parameter of op.parameters ?? []) {
      const url = parameter.in === 'path'
        ? realPath(path.replace(`{${parameter.name}}`, '%00'))
        : parameter.in === 'query' ? `${realPath(path)}?${parameter.name}=a%00b` : null
      if (url === null) continue
      isProblem(t, await api.call(method, url, schema ? bodyOf(schema, 'unused', undefined) : undefined), 400, parameter.name, 'nul')
      sent++
    }
  }
  t.ok(sent > 100, `${sent} requests, every string field, query and path parameter`)
  t.same(await counts(), before, 'nothing written')
})

t.test('years PostgreSQL has not (0000), five-digit years and days that do not exist are refused by validation, naming the field', async t => {
  const before = await counts()
  let fields = 0
  for (const { path, method, op } of operations) {
    const schema = jsonBody(op)
    const dated = [
      ...Object.entries(schema?.properties ?? {}).map(([name, s]) => ({ name, format: s.format, where: 'body' })),
      ...(op.parameters ?? []).filter(p => p.in === 'query').map(p => ({ name: p.name, format: p.schema.format, where: 'query' }))
    ].filter(f => f.format === 'date' || f.format === 'date-time')
    for (const { name, format, where } of dated) {
      fields++
      const bad = format === 'date' ? ['0000-01-01', '0000-02-29', '10000-01-01', '2026-02-30'] : ['0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '2026-02-30T10:00:00Z']
      for (const value of bad) {
        const res = where === 'body'
          ? await api.call(method, realPath(path), bodyOf(schema!, name, value))
          : await api.call(method, `${realPath(path)}?${name}=${value}`)
        isProblem(t, res, 400, name, 'format')
      }
    }
  }
  t.ok(fields >= 9, `${fields} date fields (hardware purchase and warranty, people start and end, software renewal, seats' last activity, the audit log's days)`)
  t.same(await counts(), before, 'nothing written')

  const first = await api.call('PATCH', `/api/hardware/${hardware.id}`, { purchase_date: '0001-01-01', warranty_end: '9999-12-31' })
  t.equal(first.statusCode, 200, 'the first and last days PostgreSQL and the format share are accepted')
  t.match(json(first), { purchase_date: '0001-01-01', warranty_end: '9999-12-31' })
})

t.test('a body nested 100,000 deep is a 400 problem, refused before it is parsed; the server goes on answering', async t => {
  const deep = (n: number) => `{"serial":"DEEP","name":"Deep","specifications":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`
  const send = (payload: string) => app.inject({ method: 'POST', url: '/api/hardware', headers: { authorization: `Bearer ${api.secret}`, 'content-type': 'application/json' }, payload })
  for (const n of [100_000, 5_000, 32]) {
    const problem = isProblem(t, await send(deep(n)), 400, 'body', 'depth')
    t.equal(problem.type, 'urn:stocktake:problem:invalid-json')
  }
  const arrays = `{"serial":"DEEP","name":"Deep","specifications":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`
  isProblem(t, await send(arrays), 400, 'body', 'depth')
  const brackets = await send(JSON.stringify({ serial: 'BRACKETS', name: `${'['.repeat(50)} "quoted {{{" \\`, notes: `\\${'{'.repeat(50)}` }))
  t.equal(brackets.statusCode, 201, 'brackets inside strings (after escaped quotes and backslashes) do not count')
  const fine = await send(deep(30))
  t.equal(fine.statusCode, 201, '32 levels in all (the body, specifications and 30 inside) are accepted')
  t.equal(json(fine).specifications.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a, 1)
  t.equal((await api.call('GET', '/api/hardware?limit=1')).statusCode, 200, 'still answering')
})

t.test('safety net: a data exception PostgreSQL raises (class 22) that reaches the error handler is a 400 problem, not a 500', async t => {
  const refusals: Array<[string, unknown[]]> = [
    ['SELECT ?::date', ['0000-01-01']],
    ['SELECT ?::text', [`a${N}`]],
    ['SELECT ?::jsonb', [JSON.stringify({ a: N })]],
    ['SELECT ?::numeric(4, 2)', [12345]]
  ]
  for (const [sql, bindings] of refusals) {
    const error = await app.db.raw(sql, bindings as never).then(() => null, (err: unknown) => err as Error & { code: string })
    t.match(error?.code, /^22/, `${sql}: ${error?.code}`)
    const { body } = toProblem(error!, { log: app.log } as FastifyRequest)
    t.match(body, { status: 400, type: 'urn:stocktake:problem:unstorable', detail: new RegExp(error!.code) })
  }
})
