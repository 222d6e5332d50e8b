// An Intune managedDevice (Microsoft Graph v1.0) -> the canonical device record. Only values
// Intune reports are set: a blank or zero value is left out, because the importer overwrites only
// reported fields.
import { checkInTime, type DeviceRecord } from '../../core/sdk.ts'

/** The managedDevice properties the connector reads (Graph's names; all optional and nullable). */
const TEXT_FIELDS = [
  'id', 'deviceName', 'serialNumber', 'manufacturer', 'model', 'operatingSystem', 'osVersion', 'wiFiMacAddress',
  'ethernetMacAddress', 'userPrincipalName', 'imei', 'meid', 'managedDeviceOwnerType', 'enrolledDateTime', 'lastSyncDateTime'
] as const
const NUMBER_FIELDS = ['totalStorageSpaceInBytes', 'physicalMemoryInBytes'] as const

/** The $select of every device request: exactly the properties mapped here. */
export const SELECT = [...TEXT_FIELDS, ...NUMBER_FIELDS].join(',')

export type ManagedDevice =
  & { [K in typeof TEXT_FIELDS[number]]?: string | null }
  & { [K in typeof NUMBER_FIELDS[number]]?: number | null }
  & { id: string }

/**
 * Serial numbers firmware leaves at its default (SMBIOS "Default string", "To Be Filled By O.E.M.",
 * "0" on some virtual machines): they identify nothing, so such a device counts as having no serial.
 */
const PLACEHOLDER_SERIALS = new Set([
  'default string', 'to be filled by o.e.m.', 'to be filled by oem', 'system serial number', 'chassis serial number',
  'not specified', 'not applicable', 'not available', 'none', 'n/a', 'na', 'null', 'unknown', 'invalid', 'serial number',
  '123456789', '0123456789', '1234567890'
])

export function isPlaceholderSerial (serial: string): boolean {
  const text = serial.trim().toLowerCase()
  return text === '' || /^[0.\-\s]+$/.test(text) || PLACEHOLDER_SERIALS.has(text)
}

/** Why a vendor record cannot be read (a field of the wrong type), or null. */
export function deviceProblem (raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the device is not a JSON object'
  const device = raw as Record<string, unknown>
  if (typeof device.id !== 'string' || device.id.trim() === '') return 'id must be a non-empty string'
  for (const field of TEXT_FIELDS) {
    const value = device[field]
    if (value !== undefined && value !== null && typeof value !== 'string') return `${field} must be a string, not ${typeOf(value)}`
  }
  for (const field of NUMBER_FIELDS) {
    const value = device[field]
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      return `${field} must be a number of bytes, not ${typeOf(value)}`
    }
  }
  return null
}

const typeOf = (value: unknown): string => Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`.slice(0, 60)

/** The external id to report a record that cannot be read under. */
export function externalIdOf (raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id
  return typeof id === 'string' && id.trim() !== '' ? id : '(a device without an id)'
}

const text = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/** Graph gives MACs as 12 hex digits ("3C219CA1B2C3"); the register wants pairs ("3c:21:9c:a1:b2:c3"). */
export function normaliseMac (value: string | null | undefined): string | undefined {
  const hex = (value ?? '').replace(/[\s:.-]/g, '').toLowerCase()
  if (!/^[0-9a-f]{12}$/.test(hex) || /^0+$/.test(hex)) return undefined
  return hex.match(/../g)!.join(':')
}

const GB = 1e9
const GIB = 2 ** 30

/** Raw specifications: what Intune reports of the hardware, plus storage and memory in GB for the hardware form. */
function specifications (device: ManagedDevice): Record<string, unknown> {
  const specs: Record<string, unknown> = {}
  const storage = device.totalStorageSpaceInBytes ?? 0
  if (storage > 0) {
    specs.totalStorageSpaceInBytes = storage
    specs.storageGb = Math.round(storage / GB) // disks are sold in decimal gigabytes
  }
  // Graph answers 0 for memory in device lists (only single-device reads carry it): 0 is not a value.
  const memory = device.physicalMemoryInBytes ?? 0
  if (memory > 0) {
    specs.physicalMemoryInBytes = memory
    specs.memoryGb = Math.round(memory / GIB * 10) / 10 // memory is sold in binary gigabytes
  }
  for (const field of ['imei', 'meid', 'managedDeviceOwnerType', 'enrolledDateTime'] as const) {
    const value = text(device[field])
    if (value !== undefined) specs[field] = value
  }
  return specs
}

/** The canonical record of a device that passed deviceProblem(). A device without a usable serial gets serial null. */
export function toDeviceRecord (device: ManagedDevice): DeviceRecord {
  const serial = text(device.serialNumber)
  const record: DeviceRecord = { externalId: device.id, serial: serial === undefined || isPlaceholderSerial(serial) ? null : serial }
  const report = <K extends keyof DeviceRecord>(field: K, value: DeviceRecord[K] | undefined): void => {
    if (value !== undefined) record[field] = value
  }
  report('name', text(device.deviceName))
  report('manufacturer', text(device.manufacturer))
  report('model', text(device.model))
  report('os', text(device.operatingSystem))
  report('osVersion', text(device.osVersion))
  report('macAddress', normaliseMac(device.wiFiMacAddress) ?? normaliseMac(device.ethernetMacAddress))
  report('assignedUserEmail', text(device.userPrincipalName))
  // A device enrolled more than once has a record per enrolment: the one that synced last is current.
  report('checkedInAt', checkInTime(device.lastSyncDateTime))
  const specs = specifications(device)
  if (Object.keys(specs).length > 0) record.specifications = specs
  return record
}

/** A vendor record -> its canonical record, or why it cannot be read. */
export function mapDevice (raw: unknown): { record: DeviceRecord } | { externalId: string, reason: string } {
  const problem = deviceProblem(raw)
  return problem === null ? { record: toDeviceRecord(raw as ManagedDevice) } : { externalId: externalIdOf(raw), reason: problem }
}
