// map.ts on Graph's managedDevice shape (the recorded example of vendor-apis.md): every field,
// the MAC fallback, placeholder serials, and records of the wrong shape.
import t from 'tap'
import { recordProblem } from '../../core/sdk.ts'
import { isPlaceholderSerial, mapDevice, normaliseMac, SELECT } from './map.ts'

const recorded = {
  '@odata.type': '#microsoft.graph.managedDevice',
  id: '705c034c-034c-705c-4c03-5c704c035c70',
  userId: '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e',
  deviceName: 'LAPTOP-7F3K2',
  managedDeviceOwnerType: 'company',
  enrolledDateTime: '2024-01-10T09:12:43Z',
  lastSyncDateTime: '2024-06-01T07:02:49Z',
  operatingSystem: 'Windows',
  osVersion: '10.0.22631.3593',
  complianceState: 'compliant',
  managementAgent: 'mdm',
  emailAddress: 'ada@contoso.com',
  userPrincipalName: 'ada@contoso.com',
  userDisplayName: 'Ada Lovelace',
  model: 'Latitude 7440',
  manufacturer: 'Dell Inc.',
  serialNumber: '7HX2K53',
  wiFiMacAddress: '3C219CA1B2C3',
  ethernetMacAddress: '',
  azureADDeviceId: 'b1a2c3d4-0000-4000-8000-000000000001',
  isEncrypted: true,
  imei: '',
  totalStorageSpaceInBytes: 511101108224,
  freeStorageSpaceInBytes: 301101108224,
  physicalMemoryInBytes: 0
}

t.test('every field of a recorded managedDevice', async t => {
  const mapped = mapDevice(recorded)
  t.same(mapped, {
    record: {
      externalId: '705c034c-034c-705c-4c03-5c704c035c70',
      serial: '7HX2K53',
      name: 'LAPTOP-7F3K2',
      manufacturer: 'Dell Inc.',
      model: 'Latitude 7440',
      os: 'Windows',
      osVersion: '10.0.22631.3593',
      macAddress: '3c:21:9c:a1:b2:c3',
      assignedUserEmail: 'ada@contoso.com',
      checkedInAt: '2024-06-01T07:02:49.000Z',
      specifications: { totalStorageSpaceInBytes: 511101108224, storageGb: 511, managedDeviceOwnerType: 'company', enrolledDateTime: '2024-01-10T09:12:43Z' }
    }
  }, 'memory 0 (what device lists report) and the blank IMEI are left out')
  t.equal(recordProblem('device', 'record' in mapped ? mapped.record : null), null, 'a valid canonical device')
})

t.test('memory, when Graph reports it, in bytes and binary GB; phones keep their IMEI', async t => {
  const mapped = mapDevice({ ...recorded, physicalMemoryInBytes: 17179869184, imei: '352099001761481', totalStorageSpaceInBytes: 0 })
  t.same('record' in mapped && mapped.record.specifications, {
    physicalMemoryInBytes: 17179869184, memoryGb: 16, imei: '352099001761481', managedDeviceOwnerType: 'company', enrolledDateTime: '2024-01-10T09:12:43Z'
  })
})

t.test('MAC: Wi-Fi first, Ethernet when Wi-Fi is blank or unusable; any separators; never all zeros', async t => {
  const mac = (wifi: unknown, ethernet: unknown) => {
    const mapped = mapDevice({ ...recorded, wiFiMacAddress: wifi, ethernetMacAddress: ethernet })
    return 'record' in mapped ? mapped.record.macAddress : 'not mapped'
  }
  t.equal(mac('3C219CA1B2C3', '001A2B3C4D5E'), '3c:21:9c:a1:b2:c3')
  t.equal(mac('', '001A2B3C4D5E'), '00:1a:2b:3c:4d:5e')
  t.equal(mac(null, '00-1A-2B-3C-4D-5E'), '00:1a:2b:3c:4d:5e')
  t.equal(mac('000000000000', '00:1a:2b:3c:4d:5e'), '00:1a:2b:3c:4d:5e', 'an all-zero MAC is no MAC')
  t.equal(mac('not a mac', ''), undefined, 'nothing usable: left out')
  t.equal(normaliseMac('3c21.9ca1.b2c3'), '3c:21:9c:a1:b2:c3')
})

t.test('placeholder serials are no serial; real ones are kept as reported', async t => {
  for (const serial of ['', '   ', '0', '0000000', 'Default string', ' To Be Filled By O.E.M. ', 'System Serial Number', 'Not Specified', 'None']) {
    const mapped = mapDevice({ ...recorded, serialNumber: serial })
    t.equal('record' in mapped && mapped.record.serial, null, `"${serial}" is no serial`)
  }
  const unreported = mapDevice({ ...recorded, serialNumber: null })
  t.equal('record' in unreported && unreported.record.serial, null, 'null is no serial')
  t.equal(isPlaceholderSerial('0A1B2C'), false)
  t.equal(isPlaceholderSerial('PF3XK2L9'), false)
})

t.test('blank and null values are not reported, so they never overwrite', async t => {
  const mapped = mapDevice({ id: 'd1', serialNumber: ' SN-1 ', deviceName: '', manufacturer: null, model: '  ', userPrincipalName: '', osVersion: null })
  t.same(mapped, { record: { externalId: 'd1', serial: 'SN-1' } })
})

t.test('records of the wrong shape are refused with the field and the rule', async t => {
  t.same(mapDevice({ ...recorded, serialNumber: 12345 }), { externalId: recorded.id, reason: 'serialNumber must be a string, not the number 12345' })
  t.same(mapDevice({ ...recorded, totalStorageSpaceInBytes: '512 GB' }), { externalId: recorded.id, reason: 'totalStorageSpaceInBytes must be a number of bytes, not the string "512 GB"' })
  t.same(mapDevice({ ...recorded, userPrincipalName: ['a@b.test'] }), { externalId: recorded.id, reason: 'userPrincipalName must be a string, not an array' })
  t.same(mapDevice({ serialNumber: 'SN' }), { externalId: '(a device without an id)', reason: 'id must be a non-empty string' })
  t.same(mapDevice(null), { externalId: '(a device without an id)', reason: 'the device is not a JSON object' })
})

t.test('$select names exactly the properties that are mapped', async t => {
  t.same(SELECT.split(',').sort(), [
    'deviceName', 'enrolledDateTime', 'ethernetMacAddress', 'id', 'imei', 'lastSyncDateTime', 'managedDeviceOwnerType', 'manufacturer', 'meid',
    'model', 'operatingSystem', 'osVersion', 'physicalMemoryInBytes', 'serialNumber', 'totalStorageSpaceInBytes', 'userPrincipalName', 'wiFiMacAddress'
  ])
})
