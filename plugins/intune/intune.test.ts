// The Intune connector against its fake over real HTTP: settings, Test connection and each
// documented failure, paging, mapping, skips and errors, throttling, token expiry, lookups,
// resuming, and streaming a large fleet page by page.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { type DeviceRecord } from '../../core/sdk.ts'
import { connectorTest, createMemoryStore, createTestContext, runConformance } from '../../core/sdk/testing.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import connector from './index.ts'
import { serialOf, startFake, TENANT_DOMAIN, type IntuneFake, type IntuneFakeOptions } from './fake.ts'

const DEVICES = '/v1.0/deviceManagement/managedDevices'
const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 2, maxWaitMs: 3000 } })
const deviceRequests = (fake: IntuneFake) => fake.requests.filter(r => r.path === DEVICES)
const tokenRequests = (fake: IntuneFake) => fake.requests.filter(r => r.path.endsWith('/oauth2/v2.0/token'))

t.test('passes the SDK conformance suite', async t => {
  await runConformance(t, fileURLToPath(new URL('.', import.meta.url)))
})

t.test('settings: required fields, GUIDs or a domain, known Microsoft hosts only; national-cloud hosts default to global', async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  const make = (settings: Record<string, unknown>) => () => createTestContext({ manifest, settingsSchema, settings })
  t.throws(make({ ...fake.settings, tenantId: 'not a tenant' }), /tenantId must be the Directory \(tenant\) ID GUID from Microsoft Entra \(Overview page\), or a verified domain/)
  t.throws(make({ ...fake.settings, clientId: 'my-app' }), /clientId must be the GUID shown on the app registration's Overview page/)
  t.throws(make({ tenantId: fake.settings.tenantId, clientId: fake.settings.clientId }), /clientSecret is required/)
  t.throws(make({ ...fake.settings, clientSecret: '' }), /clientSecret must NOT have fewer than 1 characters/)
  t.throws(make({ ...fake.settings, loginHost: 'login.evil.example' }), /loginHost must be equal to constant/)
  t.throws(make({ ...fake.settings, graphHost: 'graph.evil.example' }), /graphHost must be equal to constant/)
  t.throws(make({ ...fake.settings, extra: true }), /extra/)
  t.equal(settingsSchema.properties.clientSecret.writeOnly, true, 'the secret is writeOnly')

  const { tenantId, clientId, clientSecret } = fake.settings
  const ctx = createTestContext({ manifest, settingsSchema, settings: { tenantId: fake.tenantDomain, clientId, clientSecret } })
  t.match(ctx.settings, { loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' }, 'defaults applied')
  t.ok(createTestContext({ manifest, settingsSchema, settings: { tenantId: ` ${tenantId} `, clientId, clientSecret } }), 'pasted spaces are tolerated')
})

t.test('test() signs in with client credentials and reads one managed device', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 3 } })
  t.same(await connector.test!(ctx), { ok: true, message: 'Connected: the app signed in to Microsoft Entra and can read Intune\'s managed devices.' })
  const [token, devices, ...rest] = fake.requests
  t.same(rest, [], 'one token request, one device request')
  t.match(token, {
    method: 'POST',
    host: 'login.microsoftonline.com',
    path: `/${fake.settings.tenantId}/oauth2/v2.0/token`,
    form: { grant_type: 'client_credentials', client_id: fake.settings.clientId, scope: 'https://graph.microsoft.com/.default' }
  })
  t.same({ method: devices.method, host: devices.host, path: devices.path, query: devices.query }, { method: 'GET', host: 'graph.microsoft.com', path: DEVICES, query: { $select: 'id', $top: '1' } })

  const empty = await setup(t)
  t.match(await connector.test!(empty.ctx), { ok: true, message: /none are enrolled yet/ })
})

t.test('test() accepts the tenant\'s verified domain in place of its id', async t => {
  const { fake, ctx } = await setup(t, {}, { settings: { tenantId: TENANT_DOMAIN } })
  t.match(await connector.test!(ctx), { ok: true })
  t.equal(tokenRequests(fake)[0].path, `/${fake.tenantDomain}/oauth2/v2.0/token`)
})

t.test('test() explains each documented failure in plain words, with the reason the admin must fix', async t => {
  const cases: Array<[string, IntuneFakeOptions, { reason: string, message: RegExp }]> = [
    ['a wrong client secret (AADSTS7000215)', { rejectCredentials: true }, { reason: 'auth', message: /AADSTS7000215.*Value.*not its Secret ID/ }],
    ['an expired client secret (AADSTS7000222)', { tokenError: 'expired-secret' }, { reason: 'auth', message: /expired \(AADSTS7000222\)/ }],
    ['an app not in the tenant (AADSTS700016)', { tokenError: 'unknown-app' }, { reason: 'auth', message: /no application with this Application \(client\) ID.*AADSTS700016/ }],
    ['an unknown tenant (AADSTS90002)', { tokenError: 'unknown-tenant' }, { reason: 'config', message: /does not know this tenant \(AADSTS90002\)/ }],
    ['missing admin consent (AADSTS65001)', { tokenError: 'no-consent' }, { reason: 'permission', message: /AADSTS65001.*DeviceManagementManagedDevices\.Read\.All.*Grant admin consent/ }],
    ['a permission without consent (Graph 403)', { permissionGranted: false }, { reason: 'permission', message: /Forbidden.*DeviceManagementManagedDevices\.Read\.All with admin consent/ }]
  ]
  for (const [name, options, expected] of cases) {
    const { fake, ctx } = await setup(t, options)
    const result = await connector.test!(ctx)
    t.match(result, { ok: false, ...expected }, name)
    t.notOk(JSON.stringify(result).includes(fake.settings.clientSecret), `${name}: the secret is not in the message`)
  }
})

t.test('test() with saved settings the schema refuses names the rule and calls no one', async t => {
  const { fake, ctx } = await setup(t, {}, { settings: { clientId: 'my-app' }, validate: false })
  t.same(await connector.test!(ctx), { ok: false, reason: 'config', message: 'Microsoft Intune cannot connect with its saved settings: Application (client) ID must be the GUID shown on the app registration\'s Overview page. Edit them on its card and save.' })
  const other = await setup(t, {}, { settings: { tenantId: 'contoso' }, validate: false })
  t.match(await connector.test!(other.ctx), { ok: false, reason: 'config', message: /saved settings: Tenant ID must be the Directory \(tenant\) ID GUID/ })
  t.same([...fake.requests, ...other.fake.requests], [])
})

t.test('test() calls a Graph outage a network failure after retries', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext(503, undefined, { 'retry-after': '0' }, 3)
  t.match(await connector.test!(ctx), { ok: false, reason: 'network', message: /HTTP 503/ })
  t.equal(deviceRequests(fake).length, 3, 'the first attempt and two retries')
})

t.test('test() calls an Entra outage at sign-in a network failure after retries', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 1 } })
  fake.failTokenNext(503, undefined, { 'retry-after': '0' })
  t.match(await connector.test!(ctx), { ok: true }, 'one 503 is retried')
  t.equal(tokenRequests(fake).length, 2)

  const down = await setup(t)
  down.fake.failTokenNext(503, undefined, { 'retry-after': '0' }, 3)
  t.match(await connector.test!(down.ctx), { ok: false, reason: 'network', message: 'Microsoft Intune had a server error (HTTP 503 from login.microsoftonline.com: temporarily_unavailable)' })
  t.equal(tokenRequests(down.fake).length, 3, 'the first attempt and two retries')
  t.same(deviceRequests(down.fake), [], 'no device read without a token')
})

t.test('test() names a sign-in setting that is not set, as config, before calling Microsoft', async t => {
  const { fake, ctx } = await setup(t, {}, { settings: { loginHost: undefined }, validate: false })
  t.same(await connector.test!(ctx), { ok: false, reason: 'config', message: 'Microsoft Intune cannot sign in: Microsoft Entra sign-in host is not set. Fill it in under Settings → Integrations → Microsoft Intune and save.' })
  t.same(fake.requests, [])
})

t.test('national clouds: the token and devices come from the hosts chosen, with that Graph\'s scope', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 1 } }, { settings: { loginHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us' } })
  t.match(await connector.test!(ctx), { ok: true })
  t.match(fake.requests, [
    { host: 'login.microsoftonline.us', form: { scope: 'https://graph.microsoft.us/.default' } },
    { host: 'graph.microsoft.us', path: DEVICES }
  ])
})

t.test('sync maps every device, passes on those without a serial and reports malformed ones without stopping', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 10 } })
  fake.devices.push(
    { id: 'autopilot-1', serialNumber: '', deviceName: 'Autopilot only', operatingSystem: 'Windows' },
    { id: 'vm-1', serialNumber: 'Default string', model: 'Virtual Machine', manufacturer: 'Microsoft Corporation' },
    { id: 'broken-1', serialNumber: 12345, model: 'Latitude 5540' },
    null,
    { id: 'wired-1', serialNumber: 'PF3XK2L9', model: 'ThinkCentre M90q', wiFiMacAddress: '', ethernetMacAddress: '8C8CAA0B1C2D', userPrincipalName: 'Ada@Contoso.com', physicalMemoryInBytes: 34359738368 }
  )
  const store = createMemoryStore()
  const run = await sync({ store })
  t.match(run, { read: 15, created: 11, updated: 0, unchanged: 0, skipped: 2 })
  t.same(run.errors, [
    { externalId: 'broken-1', reason: 'serialNumber must be a string, not the number 12345' },
    { externalId: '(a device without an id)', reason: 'the device is not a JSON object' }
  ])

  t.same(store.device.get('3f1c0a4e-0000-4000-8000-000000000000'), {
    externalId: '3f1c0a4e-0000-4000-8000-000000000000',
    serial: 'INT0000000',
    name: 'LAPTOP-00000',
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7440',
    os: 'Windows',
    osVersion: '10.0.22631.3593',
    macAddress: '02:00:00:00:00:00',
    assignedUserEmail: 'person0@fleet.test',
    specifications: { totalStorageSpaceInBytes: 511101108224, storageGb: 511, managedDeviceOwnerType: 'company', enrolledDateTime: '2024-01-08T09:00:00Z' },
    checkedInAt: '2026-11-01T06:00:00.000Z'
  }, 'device 0 of the fleet, every field')
  const odd = store.device.get('3f1c0a4e-0000-4000-8000-000000000007') as DeviceRecord
  t.match(odd, { serial: 'INT0000007', manufacturer: 'Apple', model: 'iPhone 15', os: 'iOS', macAddress: '02:00:00:00:00:07' })
  t.notOk('assignedUserEmail' in odd, 'odd devices have no user')
  t.same(store.device.get('wired-1'), {
    externalId: 'wired-1',
    serial: 'PF3XK2L9',
    model: 'ThinkCentre M90q',
    macAddress: '8c:8c:aa:0b:1c:2d',
    assignedUserEmail: 'Ada@Contoso.com',
    specifications: { physicalMemoryInBytes: 34359738368, memoryGb: 32 }
  }, 'no Wi-Fi: the Ethernet MAC')
  t.match(deviceRequests(fake)[0].query, { $top: '1000', $select: /^id,deviceName,serialNumber,/ }, 'the largest page Graph serves, only the mapped properties')
})

t.test('paging: one upsert per Graph page, a checkpoint after every page but the last, one token for the run', async t => {
  const { fake, messages: messagesOf } = await setup(t, { fleet: { size: 25 }, maxPageSize: 10 })
  const messages = await messagesOf()
  t.same(messages.map(m => m.type === 'upsert' ? m.records.length : m.type), [10, 'checkpoint', 10, 'checkpoint', 5])
  const links = messages.flatMap(m => m.type === 'checkpoint' ? [String(m.value.nextLink)] : [])
  for (const link of links) t.match(link, /^https:\/\/graph\.microsoft\.com\/v1\.0\/deviceManagement\/managedDevices\?.*\$skiptoken=/)
  const pages = deviceRequests(fake)
  t.equal(pages.length, 3)
  t.match(pages.slice(1), [{ query: { $skiptoken: String, $top: '1000' } }, { query: { $skiptoken: String } }], 'the next pages follow @odata.nextLink')
  t.equal(tokenRequests(fake).length, 1, 'the token is reused across pages')
})

t.test('a resumed run continues from the saved next link; an unusable one starts over', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 25 }, maxPageSize: 10 })
  const first = await sync()
  t.equal(first.checkpoints.length, 2)

  const resumed = await sync({ checkpoint: first.checkpoints[1] })
  t.match(resumed, { read: 5, created: 5 }, 'only the last page')

  const forged = new URL(String(first.checkpoints[1].nextLink))
  forged.searchParams.set('$skiptoken', 'c29tZXRoaW5nIGVsc2U')
  const refused = await sync({ checkpoint: { nextLink: forged.href } })
  t.match(refused, { read: 25, errors: [] }, 'Graph refused the link: listed from the start')

  const before = fake.requests.length
  const elsewhere = await sync({ checkpoint: { nextLink: 'https://graph.evil.example/v1.0/deviceManagement/managedDevices?$skiptoken=x' } })
  t.match(elsewhere, { read: 25 }, 'a link to another host is never followed')
  t.notOk(fake.requests.slice(before).some(r => r.host !== 'graph.microsoft.com' && r.host !== 'login.microsoftonline.com'))
})

t.test('re-runs: nothing changed is all unchanged; a revision bump changes exactly the devices it touches', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 100, changedEvery: 10 } })
  const store = createMemoryStore()
  t.match(await sync({ store }), { created: 100, updated: 0 })
  t.match(await sync({ store }), { created: 0, updated: 0, unchanged: 100 })
  fake.fleet.revision++
  t.match(await sync({ store }), { created: 0, updated: 10, unchanged: 90 })
  t.equal((store.device.get('3f1c0a4e-0000-4000-8000-000000000010') as DeviceRecord).osVersion, '10.0.22631.3594', 'device 10 reports the new build')
})

t.test('throttling: a 429 with Retry-After is waited out and the page read again', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 3 } })
  fake.failNext(429, undefined, { 'retry-after': '1.2' })
  const started = Date.now()
  t.match(await sync(), { created: 3, errors: [] })
  t.ok(Date.now() - started >= 1100, 'waited the fractional Retry-After')
  t.equal(deviceRequests(fake).length, 2)

  fake.failNext(500)
  t.match(await sync(), { unchanged: 0, created: 3 }, 'a 500 is retried too')
})

t.test('throttling: a wait longer than the cap ends the run with a retry time instead of blocking', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 3 } })
  fake.failNext(429, undefined, { 'retry-after': '120' })
  await t.rejects(sync(), { name: 'RetryLaterError' })
})

t.test('token expiry mid-sync: Graph\'s 401 gets one fresh token and the sync goes on', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 30 }, maxPageSize: 10 })
  let upserts = 0
  const records: string[] = []
  for await (const message of connector.sync!(ctx, { syncId: 'devices', checkpoint: null })) {
    if (message.type !== 'upsert') continue
    records.push(...message.records.map(r => r.externalId))
    if (++upserts === 1) fake.expireTokens()
  }
  t.equal(new Set(records).size, 30, 'every device once')
  t.equal(tokenRequests(fake).length, 2, 'a second token after the expiry')
  t.equal(deviceRequests(fake).length, 4, 'three pages and the one refused request')
})

t.test('a token Graph keeps refusing is an auth failure, not a loop', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 3 } })
  const refusal = { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' } }
  fake.failNext(401, refusal, {}, 2)
  await t.rejects(sync(), { name: 'ConnectorError', reason: 'auth', message: /rejected the app's access token \(InvalidAuthenticationToken: Access token validation failure/ })
  t.equal(tokenRequests(fake).length, 2)
})

t.test('lookup: by serial through Graph\'s filter, the latest enrolment when there are several, null on a miss', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 1_000_000 } })
  fake.devices.push(
    { id: 'old', serialNumber: 'DUP-1', model: 'Latitude 7420', lastSyncDateTime: '2025-01-01T00:00:00Z' },
    { id: 'new', serialNumber: 'DUP-1', model: 'Latitude 7420', osVersion: '10.0.26100.1', lastSyncDateTime: '2026-10-30T00:00:00Z' },
    { id: 'quoted', serialNumber: 'O\'BRIEN-7', model: 'MacBook Air' }
  )
  const found = await connector.lookup!(ctx, { by: 'serial', value: ` ${serialOf(999_999)} ` })
  t.match(found, { externalId: '3f1c0a4e-0000-4000-8000-000000999999', serial: 'INT0999999', model: 'SM-S911B', os: 'Android', macAddress: '02:00:00:0f:42:3f' })
  t.match(deviceRequests(fake), [{ query: { $filter: 'serialNumber eq \'INT0999999\'', $select: /serialNumber/ } }], 'one filtered request, not a listing')

  t.match(await connector.lookup!(ctx, { by: 'serial', value: 'DUP-1' }), { externalId: 'new', osVersion: '10.0.26100.1' })
  t.match(await connector.lookup!(ctx, { by: 'serial', value: 'O\'BRIEN-7' }), { externalId: 'quoted' })
  t.equal(deviceRequests(fake).at(-1)?.query.$filter, 'serialNumber eq \'O\'\'BRIEN-7\'', 'the quote is doubled in the OData literal')
  t.equal(await connector.lookup!(ctx, { by: 'serial', value: 'NOT-ENROLLED' }), null)

  const before = fake.requests.length
  t.equal(await connector.lookup!(ctx, { by: 'serial', value: 'Default string' }), null, 'a placeholder serial identifies nothing')
  t.equal(fake.requests.length, before, 'and is not sent')
})

t.test('lookup failures are the same plain-word errors as test()', async t => {
  const { ctx } = await setup(t, { permissionGranted: false })
  await t.rejects(connector.lookup!(ctx, { by: 'serial', value: 'INT0000001' }), { name: 'ConnectorError', reason: 'permission' })
})

t.test('streaming: 20,000 devices arrive page by page, each yielded before the next page is read', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 20_000 } })
  const serials = new Set<string>()
  let upserts = 0
  let largest = 0
  for await (const message of connector.sync!(ctx, { syncId: 'devices', checkpoint: null })) {
    if (message.type !== 'upsert') continue
    upserts++
    largest = Math.max(largest, message.records.length)
    for (const record of message.records) serials.add(String((record as DeviceRecord).serial))
    if (deviceRequests(fake).length !== upserts) t.fail(`page ${upserts} was yielded after ${deviceRequests(fake).length} page reads`)
  }
  t.equal(upserts, 20)
  t.equal(largest, 1000, 'never more than one Graph page at a time')
  t.equal(serials.size, 20_000)
  t.ok(serials.has('INT0019999'))
  t.same(fake.devices, [], 'the fake generated the fleet on demand: it holds no device records')
})
