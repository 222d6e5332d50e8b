// The Jamf Pro connector against its fake, over real HTTP: connection test, settings, mapping,
// paging, throttling, tokens, lookups and streaming.
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { RetryLaterError, type SyncMessage } from '../../core/sdk.ts'
import { connectorTest, createTestContext, runConformance } from '../../core/sdk/testing.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import connector from './index.ts'
import { COMPUTERS_PATHS, MOBILE_PATH, TOKEN_PATHS, serialOf, startFake } from './fake.ts'

const TOKEN_PATH = TOKEN_PATHS[0]
const COMPUTERS_PATH = COMPUTERS_PATHS.v3
const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 3, maxWaitMs: 3000 } })

/** A computers-inventory record in Jamf's shape, every mapped section filled. */
function computer (id: string, overrides: Record<string, Record<string, unknown> | null> = {}): Record<string, unknown> {
  const base: Record<string, Record<string, unknown>> = {
    general: { name: 'Ada\'s MacBook Pro', platform: 'Mac', reportDate: '2026-05-01T03:00:00Z' },
    hardware: {
      make: 'Apple',
      model: 'MacBook Pro (14-inch, 2023)',
      modelIdentifier: 'Mac14,9',
      serialNumber: 'C02XYZ123ABC',
      processorType: 'Apple M2 Pro',
      processorArchitecture: 'arm64',
      processorSpeedMhz: 0,
      processorCount: 1,
      coreCount: 10,
      totalRamMegabytes: 16384,
      networkAdapterType: 'IEEE80211',
      macAddress: 'A4:83:E7:12:34:56',
      altNetworkAdapterType: 'Ethernet',
      altMacAddress: 'A4:83:E7:12:34:57',
      appleSilicon: true
    },
    operatingSystem: { name: 'macOS', version: '14.4.1', build: '23E224' },
    userAndLocation: { username: 'ada', realname: 'Ada Lovelace', email: 'ada@acme.test', position: 'Engineer' },
    storage: { bootDriveAvailableSpaceMegabytes: 312000, disks: [{ device: 'disk0', model: 'APPLE SSD', sizeMegabytes: 500277, type: 'SSD' }] }
  }
  const sections = Object.fromEntries(Object.entries(base).map(([name, fields]) => {
    const change = overrides[name]
    return [name, change === null ? null : { ...fields, ...change }]
  }))
  return { id, udid: `UDID-${id}`, ...sections }
}

function mobile (id: string, overrides: Record<string, Record<string, unknown>> = {}, deviceType = 'ios'): Record<string, unknown> {
  return {
    mobileDeviceId: id,
    deviceType,
    general: { displayName: 'Grace\'s iPad', osVersion: '17.5', ...overrides.general },
    hardware: { capacityMb: 121862, serialNumber: 'DMQVGC0DHLA0', wifiMacAddress: 'C4:84:66:92:78:00', model: 'iPad Air (5th generation)', modelIdentifier: 'iPad13,16', modelNumber: 'MM9C3LL/A', ...overrides.hardware },
    userAndLocation: { username: 'grace', realName: 'Grace Hopper', emailAddress: 'grace@acme.test', ...overrides.userAndLocation }
  }
}

t.test('passes the SDK conformance suite', async t => {
  await runConformance(t, dirname(fileURLToPath(import.meta.url)))
})

t.test('settings: the tenant URL rules each have their own message; a client ID must be a UUID; the secret is writeOnly', async t => {
  const valid = { tenantUrl: 'https://acme.jamfcloud.com', clientId: '6cabf059-21c9-44d6-bbde-02898f7430dd', clientSecret: 's3cret' }
  const check = (settings: Record<string, unknown>) => createTestContext({ manifest, settingsSchema, settings })
  t.doesNotThrow(() => check(valid))
  t.doesNotThrow(() => check({ ...valid, tenantUrl: 'https://jamf.example.com:8443' }), 'an on-premises server with a port')
  const refused = (tenantUrl: string) => () => check({ ...valid, tenantUrl })
  t.throws(refused('http://acme.jamfcloud.com'), /tenantUrl must start with https:\/\/ \(for example https:\/\/acme\.jamfcloud\.com\)/)
  t.throws(refused('https://acme.jamfcloud.com/'), /tenantUrl must not end with a slash/)
  t.throws(refused('https://acme.jamfcloud.com/api'), /tenantUrl must not end with \/api: Stocktake adds the API paths itself/)
  t.throws(refused(''), /tenantUrl must start with https:\/\//)
  t.throws(refused('https://acme.jamfcloud.com?x=1'), /tenantUrl must not carry a query or a fragment/)
  // The schema's own words (errorMessage), so the settings form names the rule without plugin code.
  const refusals: Array<[string, RegExp]> = [
    ['http://acme.jamfcloud.com', /tenantUrl must start with https:\/\//],
    ['https://acme.jamfcloud.com/', /tenantUrl must not end with a slash/],
    ['https://acme.jamfcloud.com/api', /tenantUrl must not end with \/api/],
    ['https://acme.jamfcloud.com/API', /tenantUrl must not end with \/api/]
  ]
  for (const [tenantUrl, words] of refusals) t.throws(() => check({ ...valid, tenantUrl }), words, `the schema refuses ${tenantUrl}`)
  t.throws(() => check({ ...valid, clientId: 'not-a-uuid' }), /clientId must be the API client's ID, a UUID/)
  t.throws(() => check({ tenantUrl: valid.tenantUrl, clientId: valid.clientId }), /clientSecret is required/)
  t.equal(settingsSchema.properties.clientSecret.writeOnly, true)
})

t.test('test() gets a token, reads one computer and one mobile device, and says how many there are', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 25 } })
  t.same(await connector.test!(ctx), { ok: true, message: 'Connected to Jamf Pro: 19 computers and 6 mobile devices.' })
  t.same(fake.requests.map(r => r.path), [TOKEN_PATH, COMPUTERS_PATH, MOBILE_PATH], 'one token, reused for both reads')
  t.ok(fake.requests.every(r => r.host === 'acme.jamfcloud.com'), 'the tenant host was called, the fake answered')
  t.same(fake.requests[1].searchParams.getAll('section'), ['GENERAL', 'HARDWARE', 'OPERATING_SYSTEM', 'USER_AND_LOCATION', 'STORAGE'])
  t.equal(fake.requests[1].query['page-size'], '1')
})

t.test('test() explains each documented failure in plain words, without the secret', async t => {
  const rejected = await setup(t, { rejectCredentials: true })
  const auth = await connector.test!(rejected.ctx)
  t.match(auth, { ok: false, reason: 'auth', message: /refused the client ID and secret \(invalid_client\).*generate a new one/ })
  t.notOk(JSON.stringify(auth).includes(rejected.ctx.settings.clientSecret), 'the secret is not echoed')
  t.same(rejected.fake.requests.map(r => r.path), [TOKEN_PATH], 'nothing read without a token')

  const noMobiles = await setup(t, { privileges: ['Read Computers'] })
  t.match(await connector.test!(noMobiles.ctx), { ok: false, reason: 'permission', message: /may not read mobile devices: give its API role the "Read Mobile Devices" privilege/ })
  const noComputers = await setup(t, { privileges: [] })
  t.match(await connector.test!(noComputers.ctx), { ok: false, reason: 'permission', message: /"Read Computers"/ })

  const subPath = await setup(t, {}, { settings: { tenantUrl: 'https://acme.jamfcloud.com/jamf' }, validate: false })
  t.match(await connector.test!(subPath.ctx), { ok: false, reason: 'config', message: /no Jamf Pro token endpoint at https:\/\/acme\.jamfcloud\.com\/jamf\/api\/oauth\/token: check the tenant URL/ })

  const slash = await setup(t, {}, { settings: { tenantUrl: 'https://acme.jamfcloud.com/' }, validate: false })
  t.same(await connector.test!(slash.ctx), { ok: false, reason: 'config', message: 'Jamf Pro cannot connect with its saved settings: Tenant URL must not end with a slash. Edit them on its card and save.' })
  t.same(slash.fake.requests, [], 'a bad URL is refused before any request')

  const refused = await setup(t)
  refused.fake.failNext(400, { httpStatus: 400, errors: [{ code: 'INVALID_FIELD', field: 'sort', description: 'Invalid sort field', id: '0' }] })
  t.same(await connector.test!(refused.ctx), { ok: false, reason: 'config', message: 'Jamf Pro refused the computers request (HTTP 400: INVALID_FIELD: Invalid sort field).' })

  const down = await setup(t)
  await down.fake.close()
  t.match(await connector.test!(down.ctx), { ok: false, reason: 'network' })
})

t.test('mapping: every field, Wi-Fi before Ethernet, lower-case MACs, specs under the names the hardware form suggests from', async t => {
  const { fake, sync } = await setup(t)
  fake.devices.push(
    computer('101'),
    // an iMac: en0 is Ethernet, Wi-Fi is the second adapter, and Jamf's MAC in another form
    computer('102', { hardware: { serialNumber: 'C02IMAC0001', model: 'iMac (24-inch, 2023)', networkAdapterType: 'Ethernet', macAddress: '3C:22:FB:00:00:01', altNetworkAdapterType: 'IEEE80211', altMacAddress: 'a4-83-e7-00-00-02' } }),
    // Ethernet only: the fallback
    computer('103', { hardware: { serialNumber: 'C02MINI0001', networkAdapterType: 'Ethernet', macAddress: '3C:22:FB:00:00:03', altNetworkAdapterType: null, altMacAddress: null } }),
    // what Jamf leaves empty is not reported
    computer('104', { general: { name: '' }, hardware: { serialNumber: 'C02BARE0001', model: '', macAddress: '', altMacAddress: '', processorType: null, totalRamMegabytes: null, coreCount: null, processorCount: null, processorArchitecture: null, modelIdentifier: null, appleSilicon: null }, operatingSystem: null, userAndLocation: { email: '' }, storage: { disks: [] } }),
    // a free-text email that is not an address cannot match a person
    computer('105', { hardware: { serialNumber: 'C02NOTE0001' }, userAndLocation: { email: 'ask the front desk' } }),
    computer('106', { hardware: { serialNumber: 'C02NOTE0002' }, userAndLocation: { email: 'ada@acme..test' } }),
    mobile('7'),
    mobile('8', { hardware: { serialNumber: 'F2LPHONE0001', model: 'iPhone 15', modelIdentifier: 'iPhone15,4', wifiMacAddress: 'F0:18:98:AA:BB:CC' }, userAndLocation: { emailAddress: '' } }),
    mobile('9', { hardware: { serialNumber: 'APPLETV0001', model: 'Apple TV 4K', wifiMacAddress: '' } }, 'appleTv')
  )
  const run = await sync()
  t.match(run, { read: 9, created: 9, skipped: 0, errors: [] })
  const records = run.records.device
  t.same(records.get('computer:101'), {
    externalId: 'computer:101',
    serial: 'C02XYZ123ABC',
    name: 'Ada\'s MacBook Pro',
    manufacturer: 'Apple',
    model: 'MacBook Pro (14-inch, 2023)',
    os: 'macOS',
    osVersion: '14.4.1',
    macAddress: 'a4:83:e7:12:34:56',
    assignedUserEmail: 'ada@acme.test',
    specifications: {
      processorName: 'Apple M2 Pro',
      processorArchitecture: 'arm64',
      processorCount: 1,
      coreCount: 10,
      memoryGb: 16,
      storage: '500 GB',
      storageType: 'SSD',
      modelIdentifier: 'Mac14,9',
      appleSilicon: true
    },
    checkedInAt: '2026-05-01T03:00:00.000Z'
  })
  t.match(records.get('computer:102'), { macAddress: 'a4:83:e7:00:00:02' }, 'an iMac\'s Wi-Fi is its second adapter')
  t.match(records.get('computer:103'), { macAddress: '3c:22:fb:00:00:03' }, 'no Wi-Fi: Ethernet')
  t.same(records.get('computer:104'), { externalId: 'computer:104', serial: 'C02BARE0001', manufacturer: 'Apple', checkedInAt: '2026-05-01T03:00:00.000Z' }, 'nothing reported, nothing set')
  t.notOk('assignedUserEmail' in records.get('computer:105')!, 'free text is not an email')
  t.notOk('assignedUserEmail' in records.get('computer:106')!, 'nor is an address the register would refuse')
  t.same(records.get('mobile:7'), {
    externalId: 'mobile:7',
    serial: 'DMQVGC0DHLA0',
    name: 'Grace\'s iPad',
    manufacturer: 'Apple',
    model: 'iPad Air (5th generation)',
    os: 'iPadOS',
    osVersion: '17.5',
    macAddress: 'c4:84:66:92:78:00',
    assignedUserEmail: 'grace@acme.test',
    specifications: { storage: '122 GB', modelIdentifier: 'iPad13,16', modelNumber: 'MM9C3LL/A' }
  })
  t.match(records.get('mobile:8'), { os: 'iOS', model: 'iPhone 15', macAddress: 'f0:18:98:aa:bb:cc' })
  t.notOk('assignedUserEmail' in records.get('mobile:8')!)
  t.match(records.get('mobile:9'), { os: 'tvOS', manufacturer: 'Apple' })
  t.notOk('macAddress' in records.get('mobile:9')!)
})

t.test('the generated fleet: a mix of Macs, iPhones and iPads, Wi-Fi MACs from the index, every other device assigned', async t => {
  const { sync } = await setup(t, { fleet: { size: 10 } })
  const run = await sync()
  t.match(run, { read: 10, created: 10, errors: [] })
  const bySerial = new Map([...run.records.device.values()].map(r => [(r as { serial: string }).serial, r]))
  t.match(bySerial.get(serialOf(0)), { externalId: 'computer:1', model: 'MacBook Pro (14-inch, 2023)', os: 'macOS', osVersion: '14.4', macAddress: 'a4:83:e7:00:00:00', assignedUserEmail: 'person0@fleet.test', specifications: { processorName: 'Apple M2 Pro', memoryGb: 16, storage: '500 GB' } })
  t.match(bySerial.get(serialOf(3)), { model: 'iMac (24-inch, 2023)', macAddress: 'a4:83:e7:00:00:03' }, 'a desktop\'s Wi-Fi is found behind its Ethernet')
  t.notOk('assignedUserEmail' in bySerial.get(serialOf(3))!, 'odd devices have no user')
  t.match(bySerial.get(serialOf(7)), { externalId: 'mobile:1', model: 'iPhone 15', os: 'iOS', osVersion: '17.4' })
  t.match(bySerial.get(serialOf(8)), { model: 'iPad Air (5th generation)', os: 'iPadOS', assignedUserEmail: 'person8@fleet.test' })
})

t.test('paging: computers then mobile devices, page by page, one checkpoint per page, one token for the run', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 2500 } })
  const run = await sync()
  t.match(run, { read: 2500, created: 2500, skipped: 0, errors: [] })
  t.equal(run.records.device.size, 2500, 'no device twice')
  t.same(run.checkpoints, [
    { collection: 'computers', page: 1, pageSize: 1000 },
    { collection: 'mobile-devices', page: 0, pageSize: 1000 }
  ], 'the last page of a full sync needs no checkpoint')
  const inventory = fake.requests.filter(r => r.path !== TOKEN_PATH)
  t.same(inventory.map(r => [r.path, r.query.page, r.query['page-size'], r.query.sort]), [
    [COMPUTERS_PATH, '0', '1000', 'id:asc'],
    [COMPUTERS_PATH, '1', '1000', 'id:asc'],
    [MOBILE_PATH, '0', '1000', 'mobileDeviceId:asc']
  ])
  t.same(inventory[2].searchParams.getAll('section'), ['GENERAL', 'HARDWARE', 'USER_AND_LOCATION'])
  t.equal(fake.count(TOKEN_PATH), 1, 'the token is reused until it nears expiry')

  const again = await sync({ store: run.records })
  t.match(again, { created: 0, updated: 0, unchanged: 2500 }, 'a re-run changes nothing')
})

t.test('re-runs: nothing changed is all unchanged; a revision bump changes exactly the devices it touches', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 1000, changedEvery: 10 } })
  const first = await sync()
  t.match(first, { created: 1000 })
  fake.fleet.revision++
  const bumped = await sync({ store: first.records })
  t.match(bumped, { created: 0, updated: 100, unchanged: 900 }, '10% of the fleet reports a new OS version')
  t.match(first.records.device.get('computer:1'), { serial: serialOf(0), osVersion: '14.5' })
})

t.test('a server that caps page-size silently is followed, without skipping or repeating devices', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 1000 }, maxPageSize: 300 })
  const run = await sync()
  t.match(run, { read: 1000, created: 1000, errors: [] })
  t.equal(run.records.device.size, 1000)
  t.same(fake.requests.filter(r => r.path === COMPUTERS_PATH).map(r => [r.query.page, r.query['page-size']]),
    [['0', '1000'], ['1', '300'], ['2', '300']], '700 computers in pages of 300')
  t.same(run.checkpoints[0], { collection: 'computers', page: 1, pageSize: 300 }, 'the checkpoint keeps the server\'s size')
})

t.test('a sync resumes from its checkpoint; an unknown checkpoint starts from the top', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 2500 } })
  const resumed = await sync({ checkpoint: { collection: 'computers', page: 1, pageSize: 1000 } })
  t.match(resumed, { read: 750 + 750, errors: [] }, 'the second page of computers, then every mobile device')
  t.same(fake.requests.filter(r => r.path !== TOKEN_PATH).map(r => [r.path, r.query.page]), [[COMPUTERS_PATH, '1'], [MOBILE_PATH, '0']])
  const mobiles = await sync({ checkpoint: { collection: 'mobile-devices', page: 0, pageSize: 1000 } })
  t.match(mobiles, { read: 750 })
  const stale = await sync({ checkpoint: { cursor: 'something else' } })
  t.match(stale, { read: 2500 })
})

t.test('devices without a serial are passed on and skipped; malformed records are errors that do not stop the run', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 3 } })
  fake.devices.push(
    computer('201', { hardware: { serialNumber: '' } }),
    computer('202', { hardware: { serialNumber: null } }),
    computer('203', { hardware: { serialNumber: 12345 } }),
    { udid: 'no-id', hardware: { serialNumber: 'C02NOID' } },
    mobile('30', { hardware: { serialNumber: null } }),
    { ...mobile('31'), hardware: 'broken' },
    mobile('32', { hardware: { serialNumber: 'DMQGOOD0001' } })
  )
  const run = await sync()
  t.match(run, { read: 10, created: 4, skipped: 3 })
  t.same(run.errors, [
    { externalId: 'computer:203', reason: 'Jamf Pro computer record is malformed: hardware.serialNumber must be a string, not a number' },
    { externalId: 'computer:(no id)', reason: 'Jamf Pro computer record is malformed: id is missing' },
    { externalId: 'mobile:31', reason: 'Jamf Pro mobile device record is malformed: hardware must be an object, not a string' }
  ])
  t.ok(run.records.device.has('mobile:32'), 'records after a malformed one are imported')
})

t.test('429 and 503 with Retry-After are waited out; a wait longer than the cap reschedules the run', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 1500 } })
  fake.failNext(429, undefined, { 'retry-after': '1' })
  fake.failNext(503, undefined, { 'retry-after': '1' })
  const started = Date.now()
  const run = await sync()
  t.ok(Date.now() - started >= 1900, 'waited as asked, twice')
  t.match(run, { read: 1500, created: 1500, errors: [] })

  const slow = await setup(t, { fleet: { size: 1500 } })
  slow.fake.failNext(429, undefined, { 'retry-after': '600' })
  await t.rejects(slow.sync(), RetryLaterError, 'the run is rescheduled rather than parking a worker for 10 minutes')

  const broken = await setup(t, { fleet: { size: 10 } })
  broken.fake.failNext(500, undefined, {}, 10)
  await t.rejects(broken.sync(), { name: 'HttpStatusError', status: 500 }, 'a server error that outlasts the retries fails the attempt')
  t.equal(broken.fake.count(COMPUTERS_PATH), 4, 'the first try and three retries')
})

t.test('Jamf unavailable at sign-in: the token request is retried, then reported as a network failure', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext(503, undefined, { 'retry-after': '0' }, 1, TOKEN_PATH)
  t.match(await connector.test!(ctx), { ok: true }, 'one 503 is retried')
  t.equal(fake.count(TOKEN_PATH), 2)

  const down = await setup(t)
  down.fake.failNext(503, undefined, { 'retry-after': '0' }, 4, TOKEN_PATH)
  t.same(await connector.test!(down.ctx), { ok: false, reason: 'network', message: 'Jamf Pro had a server error (HTTP 503 from acme.jamfcloud.com)' })
  t.same(down.fake.requests.map(r => r.path), Array(4).fill(TOKEN_PATH), 'the first attempt and three retries, then nothing read')
})

t.test('a token that expires mid-sync is replaced once, and the sync carries on', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 2500 } })
  let read = 0
  for await (const message of connector.sync!(ctx, { syncId: 'devices', checkpoint: null })) {
    if (message.type !== 'upsert') continue
    read += message.records.length
    if (read === 1000) fake.expireTokens()
  }
  t.equal(read, 2500)
  t.equal(fake.count(TOKEN_PATH), 2, 'a second token after the 401')

  // Jamf's lifetime is configurable per API client and may be a minute or less: renew before it runs out
  const shortLived = await setup(t, { fleet: { size: 1500 }, tokenLifetimeSeconds: 1 })
  let pages = 0
  for await (const message of connector.sync!(shortLived.ctx, { syncId: 'devices', checkpoint: null })) {
    if (message.type === 'upsert' && ++pages === 1) await new Promise(resolve => setTimeout(resolve, 700))
  }
  t.equal(pages, 3)
  t.equal(shortLived.fake.count(TOKEN_PATH), 2, 'renewed past half its lifetime')
  t.equal(shortLived.fake.requests.length - 2, 3, 'without a request refused on the way')
})

t.test('a token Jamf keeps refusing is an auth failure, not a loop', async t => {
  // tokens that are stale the moment they are issued
  const { fake, sync } = await setup(t, { fleet: { size: 10 }, tokenLifetimeSeconds: 0 })
  await t.rejects(sync(), { name: 'ConnectorError', reason: 'auth', message: /rejected a freshly issued access token when reading computers/ })
  t.equal(fake.count(TOKEN_PATH), 2, 'one fresh token, then it gives up')
  t.equal(fake.count(COMPUTERS_PATH), 2)
})

t.test('a Jamf Pro server without the v3 computers inventory is read through v1', async t => {
  const { fake, sync } = await setup(t, { fleet: { size: 1500 }, computerInventoryVersions: ['v1'] })
  const run = await sync()
  t.match(run, { read: 1500, created: 1500, errors: [] })
  t.same(fake.requests.filter(r => r.path.includes('computers')).map(r => r.path), [COMPUTERS_PATHS.v3, COMPUTERS_PATHS.v1, COMPUTERS_PATHS.v1], 'v3 is probed once per run')
})

t.test('lookup by serial filters computers and mobile devices; a miss is null', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 20 } })
  fake.devices.push(computer('500', { hardware: { serialNumber: 'C02LOOKUP1' } }))
  t.match(await connector.lookup!(ctx, { by: 'serial', value: ' C02LOOKUP1 ' }), {
    externalId: 'computer:500', serial: 'C02LOOKUP1', manufacturer: 'Apple', specifications: { processorName: 'Apple M2 Pro', memoryGb: 16, storage: '500 GB' }
  })
  const filters = fake.requests.filter(r => r.path !== TOKEN_PATH).map(r => [r.path, r.query.filter, r.query['page-size']])
  t.same(filters, [
    [COMPUTERS_PATH, 'hardware.serialNumber=="C02LOOKUP1"', '100'],
    [MOBILE_PATH, 'serialNumber=="C02LOOKUP1"', '100']
  ], 'one filtered request per inventory, not a listing: the serial may be on a computer and a mobile device')

  fake.requests.length = 0
  t.match(await connector.lookup!(ctx, { by: 'serial', value: serialOf(8) }), { externalId: 'mobile:2', os: 'iPadOS', serial: serialOf(8) })
  t.same(fake.requests.filter(r => r.path !== TOKEN_PATH).map(r => [r.path, r.query.filter]), [
    [COMPUTERS_PATH, `hardware.serialNumber=="${serialOf(8)}"`],
    [MOBILE_PATH, `serialNumber=="${serialOf(8)}"`]
  ])

  t.equal(await connector.lookup!(ctx, { by: 'serial', value: 'NOSUCHSERIAL' }), null)
  t.equal(await connector.lookup!(ctx, { by: 'serial', value: 'X" or id=="1' }), null, 'quotes cannot widen the filter')
  t.equal(await connector.lookup!(ctx, { by: 'serial', value: '   ' }), null)
})

t.test('streaming: 20,000 devices arrive page by page; the fake generates them and stores none', async t => {
  const { fake, ctx } = await setup(t, { fleet: { size: 20_000 } })
  t.same(fake.devices, [], 'nothing stored: every device is built from its index on request')
  const inventoryRequests = () => fake.requests.filter(r => r.path !== TOKEN_PATH).length
  let upserts = 0
  let records = 0
  let largest = 0
  let mostAhead = 0
  const messages: AsyncIterable<SyncMessage> = connector.sync!(ctx, { syncId: 'devices', checkpoint: null })
  for await (const message of messages) {
    if (message.type !== 'upsert') continue
    upserts++
    records += message.records.length
    largest = Math.max(largest, message.records.length)
    // when a page is handed over, at most the next one has been asked for
    mostAhead = Math.max(mostAhead, inventoryRequests() - upserts)
  }
  t.equal(records, 20_000)
  t.equal(upserts, 20, '14 pages of computers and 6 of mobile devices')
  t.equal(largest, 1000, 'never more than one page at a time')
  t.ok(mostAhead <= 1, `reads at most one page ahead (${mostAhead})`)
})
