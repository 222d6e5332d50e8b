// vendorFailures against a real local server playing a vendor through ctx.http: the declared
// rules turn the token endpoint's and the API's refusals into ConnectorErrors with the vendor's own
// code and message (secrets redacted); what no rule covers (429, 5xx, network) stays as it is.
import t, { type Test } from 'tap'
import {
  ConnectorError, createTestContext, failureReason, HttpStatusError, routeToFake, vendorFailures,
  type VendorError
} from '../core/sdk.ts'
import { json, vendor, type Handler } from './helpers/vendor-server.ts'

const API_KEY = 'sk-live-4f9a8b7c6d5e'
const manifest = {
  allowedHosts: ['login.vendor.test', 'api.vendor.test'],
  oauth2: { tokenUrl: 'https://login.vendor.test/token', clientId: '{{clientId}}', clientSecret: '{{clientSecret}}' }
}
const settingsSchema = {
  type: 'object',
  properties: { clientId: { type: 'string' }, clientSecret: { type: 'string', writeOnly: true }, apiKey: { type: 'string', writeOnly: true } }
}

interface Reading { what: string }

// A vendor whose errors are { error: { code, message } } or a list of them, declared once.
const failures = vendorFailures<Reading>({
  token: {
    codes: { unauthorized_client: { reason: 'permission', message: 'The app may not use client credentials: allow the grant in the vendor\'s console.' } },
    noToken: 'The vendor answered the token request without an access token.',
    otherwise: { reason: 'auth', message: f => `The vendor refused the client ID and secret (HTTP ${f.status}, ${f.detail}).` }
  },
  request: {
    read: body => Array.isArray(body.errors) ? body.errors as VendorError[] : (body.error as VendorError | undefined),
    codes: { TenantSuspended: { reason: 'config', message: f => `The vendor has suspended this tenant (${f.code}): renew the subscription.` } },
    statuses: {
      401: { reason: 'auth', message: f => `The vendor rejected the access token (${f.detail}).` },
      403: { reason: 'permission', message: f => `The vendor refused to list ${f.about.what} (${f.code}: ${f.message}). Grant the read scope.` },
      404: { reason: 'config', message: f => `The vendor has no ${f.about.what} at ${f.url}.` }
    },
    otherwise: { reason: 'config', message: f => `The vendor refused the ${f.about.what} request (HTTP ${f.status}: ${f.detail}).` }
  }
})

async function setup (t: Test, api: Handler, token: Handler = (_hit, res) => json(res, 200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 })) {
  const server = await vendor(t, (hit, res) => hit.path === '/token' ? token(hit, res) : api(hit, res))
  const dispatcher = routeToFake(server.base)
  t.teardown(async () => { await dispatcher.close() })
  const ctx = createTestContext({
    manifest,
    settingsSchema,
    settings: { clientId: 'app-1', clientSecret: 'client-secret-value', apiKey: API_KEY },
    dispatcher,
    http: { maxRetries: 1, maxWaitMs: 1000 }
  })
  /** What the plugin would throw after reading /things. */
  const read = async (path = '/things', expect?: number[]): Promise<unknown> => {
    try {
      const res = await ctx.http.request({ url: `https://api.vendor.test${path}`, expect })
      return res.status === 200 ? res : failures.response(ctx, res, { what: 'things' })
    } catch (err) {
      return failures.explain(ctx, err, { what: 'things' })
    }
  }
  return { ctx, server, read }
}

t.test('the token endpoint\'s refusals: auth with the vendor\'s code and first line, a listed code by its own rule, no token is network', async t => {
  const refused = await setup(t, () => {}, (_hit, res) => json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed.\r\nTrace ID: 7d1e' }))
  t.same(await refused.read(), new ConnectorError('auth', 'The vendor refused the client ID and secret (HTTP 401, invalid_client: Client authentication failed.).'))
  t.match(await refused.read(), { reason: 'auth', message: /invalid_client: Client authentication failed\.\)\.$/ }, 'the trace line is left out')

  const grant = await setup(t, () => {}, (_hit, res) => json(res, 400, { error: 'unauthorized_client', error_description: 'The grant is not allowed.' }))
  t.match(await grant.read(), { name: 'ConnectorError', reason: 'permission', message: /allow the grant/ })

  const empty = await setup(t, () => {}, (_hit, res) => json(res, 200, { token_type: 'Bearer' }))
  t.match(await empty.read(), { name: 'ConnectorError', reason: 'network', message: 'The vendor answered the token request without an access token.' })
})

t.test('the API\'s refusals by status and by the vendor\'s code, the vendor\'s words kept', async t => {
  const { read } = await setup(t, (hit, res) => {
    if (hit.path === '/things') return json(res, 403, { error: { code: 'Forbidden', message: 'Missing scope things.read\nrequest-id: 42' } })
    if (hit.path === '/gone') return json(res, 404, {})
    if (hit.path === '/suspended') return json(res, 400, { error: { code: 'TenantSuspended', message: 'Suspended.' } })
    if (hit.path === '/token-rejected') return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Invalid audience.' } })
    json(res, 422, { errors: [{ code: 'INVALID_FIELD', message: 'Invalid sort field' }, { code: 'INVALID_FIELD', message: 'Invalid filter' }] })
  })
  t.same(await read(), new ConnectorError('permission', 'The vendor refused to list things (Forbidden: Missing scope things.read). Grant the read scope.'))
  t.same(await read('/gone'), new ConnectorError('config', 'The vendor has no things at https://api.vendor.test/gone.'))
  t.same(await read('/suspended'), new ConnectorError('config', 'The vendor has suspended this tenant (TenantSuspended): renew the subscription.'), 'the vendor\'s code before the status')
  t.same(await read('/token-rejected'), new ConnectorError('auth', 'The vendor rejected the access token (InvalidAuthenticationToken: Invalid audience.).'))
  t.same(await read('/sort'), new ConnectorError('config', 'The vendor refused the things request (HTTP 422: INVALID_FIELD: Invalid sort field; INVALID_FIELD: Invalid filter).'), 'every error the vendor sent')
  t.same(await read('/sort', [200, 422]), new ConnectorError('config', 'The vendor refused the things request (HTTP 422: INVALID_FIELD: Invalid sort field; INVALID_FIELD: Invalid filter).'), 'a refusal received as a response reads the same')
})

t.test('a secret the vendor echoes in its body is redacted from the words', async t => {
  const { read } = await setup(t, (_hit, res) => json(res, 400, { error: { code: 'BadKey', message: `The key ${API_KEY} is not valid for this tenant.` } }))
  const err = await read()
  t.same(err, new ConnectorError('config', 'The vendor refused the things request (HTTP 400: BadKey: The key [redacted] is not valid for this tenant.).'))
  t.notOk(JSON.stringify({ message: (err as Error).message }).includes(API_KEY))
})

t.test('429, 5xx after the retries and network errors stay as they are, for the core to name', async t => {
  const busy = await setup(t, (_hit, res) => json(res, 503, { error: { code: 'TenantSuspended', message: 'Try later.' } }, { 'retry-after': '0' }))
  const outage = await busy.read()
  t.type(outage, HttpStatusError)
  t.notOk(outage instanceof ConnectorError)
  t.equal(failureReason(outage), 'network', 'a 503 stays transient even with a code that has a rule')

  const down = await setup(t, (_hit, res) => { res.socket?.destroy() })
  const cut = await down.read('/things')
  t.ok(cut instanceof Error && !(cut instanceof ConnectorError) && !(cut instanceof HttpStatusError), 'a connection cut off is not a vendor refusal')
  t.equal(failureReason(cut), 'network')

  const plain = new Error('a bug')
  t.equal(failures.explain(down.ctx, plain), plain, 'an error that is not the vendor\'s passes through')
})
