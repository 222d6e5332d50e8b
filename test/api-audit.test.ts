import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_API_RATE_LIMIT: '5' })
const acme = await workspace('acme')
const other = await workspace('other')

t.test('the audit log reads newest first, by keyset, with filters; never another workspace\'s', async t => {
  const api = await apiClient(app, acme.id)
  for (let i = 0; i < 3; i++) await app.registry.hardware.create(acme.id, systemActor, { serial: `AUD-${i}`, name: `Laptop ${i}` })
  await app.registry.hardware.create(other.id, systemActor, { serial: 'AUD-X', name: 'Other' })
  const page1 = json(await api.call('GET', '/api/audit?action=hardware.&limit=2'))
  t.same(page1.data.map((e: { target_label: string }) => e.target_label), ['ACME-000003 Laptop 2', 'ACME-000002 Laptop 1'])
  t.match(page1.data[0], { action: 'hardware.created', actor_type: 'system', outcome: 'success', occurred_at: String })
  const page2 = json(await api.call('GET', `/api/audit?action=hardware.&limit=2&cursor=${page1.next}`))
  t.same(page2.data.map((e: { target_label: string }) => e.target_label), ['ACME-000001 Laptop 0'])
  t.equal(page2.next, null)
  isProblem(t, await api.call('GET', '/api/audit?cursor=xyz'), 400, 'cursor', 'cursor')
  isProblem(t, await api.call('GET', '/api/audit?from=yesterday'), 400, 'from', 'format')
})

t.test('tokens: missing, malformed, unknown, revoked and expired are 401 with the reason', async t => {
  const api = await apiClient(app, acme.id)
  const call = (authorization?: string) => app.inject({ url: '/api/software', headers: authorization ? { authorization } : {} })
  const missing = isProblem(t, await call(), 401, 'Authorization', 'missing')
  t.equal((await call()).headers['www-authenticate'], 'Bearer realm="stocktake"')
  t.match(missing.detail, /Bearer/)
  isProblem(t, await call('Basic dXNlcjpwYXNz'), 401, 'Authorization', 'malformed')
  isProblem(t, await call('Bearer stk_short'), 401, 'Authorization', 'malformed')
  isProblem(t, await call(`Bearer ${api.secret.slice(0, -1)}${api.secret.endsWith('A') ? 'B' : 'A'}`), 401, 'Authorization', 'unknown')
  t.equal((await call(`bearer  ${api.secret}`)).statusCode, 200, 'the scheme is case-insensitive')

  await app.apiTokens.revoke(acme.id, systemActor, api.tokenId)
  isProblem(t, await call(`Bearer ${api.secret}`), 401, 'Authorization', 'revoked')

  const expiring = await apiClient(app, acme.id, [], 1)
  await app.db('api_tokens').where({ workspace_id: acme.id, id: expiring.tokenId }).update({ expires_at: app.db.raw("now() - interval '1 second'") })
  isProblem(t, await call(`Bearer ${expiring.secret}`), 401, 'Authorization', 'expired')
})

t.test('a token lacking an ability is 403 naming it', async t => {
  const reader = await apiClient(app, acme.id, ['hardware:read'])
  const body = isProblem(t, await reader.call('POST', '/api/hardware', { serial: 'NO', name: 'No' }), 403, 'Authorization', 'ability')
  t.same(body.missing_abilities, ['hardware:write'])
  t.match(body.detail, /hardware:write/)
  const audit = isProblem(t, await reader.call('GET', '/api/audit'), 403)
  t.same(audit.missing_abilities, ['users:read', 'software:read'])
  t.equal((await reader.call('GET', '/api/hardware')).statusCode, 200)
})

t.test('last_used_at is written on first use, then at most once a minute', async t => {
  const api = await apiClient(app, other.id)
  const lastUsed = async () => (await app.db('api_tokens').where({ workspace_id: other.id, id: api.tokenId }).first()).last_used_at as Date | null
  t.equal(await lastUsed(), null)
  await api.call('GET', '/api/hardware')
  const first = await lastUsed()
  t.ok(first, 'set on first use')
  await api.call('GET', '/api/hardware')
  t.same(await lastUsed(), first, 'not rewritten within the minute')
})

t.test('rate limit per token: RateLimit-* headers, then 429 problem+json; other tokens unaffected', async t => {
  const api = await apiClient(app, acme.id)
  const first = await api.call('GET', '/api/hardware')
  t.equal(first.headers['ratelimit-limit'], '5')
  t.equal(first.headers['ratelimit-remaining'], '4')
  t.ok(first.headers['ratelimit-reset'])
  for (let i = 0; i < 4; i++) t.equal((await api.call('GET', '/api/hardware')).statusCode, 200)
  const limited = isProblem(t, await api.call('GET', '/api/hardware'), 429)
  t.equal(limited.type, 'urn:stocktake:problem:rate-limited')
  t.ok((await api.call('GET', '/api/hardware')).headers['retry-after'], 'Retry-After')
  const fresh = await apiClient(app, acme.id)
  t.equal((await fresh.call('GET', '/api/hardware')).statusCode, 200, 'keyed by token')
})
