// Jamf Pro inventory records -> canonical device records. Pure: no I/O. A field Jamf leaves null or
// empty is left out (the importer then keeps what the register has); a field of the wrong type
// makes the record malformed, reported per record instead of failing the run.
import { checkInTime, type DeviceRecord } from '../../core/sdk.ts'

export type Mapped =
  | { ok: true, record: DeviceRecord }
  | { ok: false, externalId: string, reason: string }

type Fields = Record<string, unknown>

class Malformed extends Error {}

const kind = (value: unknown): string => Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`

function section (record: Fields, name: string): Fields {
  const value = record[name]
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Malformed(`${name} must be an object, not ${kind(value)}`)
  return value as Fields
}

function text (fields: Fields, key: string, path: string): string | undefined {
  const value = fields[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new Malformed(`${path} must be a string, not ${kind(value)}`)
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** A non-negative number; Jamf reports 0 for what it could not read (e.g. the clock of Apple silicon). */
function amount (fields: Fields, key: string, path: string): number | undefined {
  const value = fields[key]
  if (value === undefined || value === null || value === '') return undefined
  const number = typeof value === 'string' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) throw new Malformed(`${path} must be a number, not ${kind(value)}`)
  return number === 0 ? undefined : number
}

function flag (fields: Fields, key: string, path: string): boolean | undefined {
  const value = fields[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw new Malformed(`${path} must be true or false, not ${kind(value)}`)
  return value
}

function identifier (fields: Fields, key: string): string {
  const value = fields[key]
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  if (typeof value === 'number' && Number.isInteger(value)) return String(value)
  throw new Malformed(value === undefined || value === null ? `${key} is missing` : `${key} must be a string, not ${kind(value)}`)
}

const COLON_FORM = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/

/** Six pairs of hex digits in lower-case colon form; anything else (e.g. "unknown") is not reported. */
export function normaliseMac (value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (COLON_FORM.test(value)) return value.toLowerCase() // Jamf's usual form: the fast path
  const hex = value.replace(/[\s:.-]/g, '').toLowerCase()
  return /^[0-9a-f]{12}$/.test(hex) ? hex.match(/../g)!.join(':') : undefined
}

// The canonical device schema's email rule (ajv-formats' "email"): an address kept here never fails the record.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i

/** Jamf's user email is free text ("ask IT"): only an address can match a person, anything else is not reported. */
function email (value: string | undefined): string | undefined {
  return value !== undefined && EMAIL.test(value) ? value : undefined
}

/** Disk sizes as drive makers label them (decimal): 500277 MB -> "500 GB", 2000000 MB -> "2 TB". */
export function storageLabel (megabytes: number | undefined): string | undefined {
  if (megabytes === undefined) return undefined
  const gigabytes = megabytes / 1000
  return gigabytes >= 1000 ? `${Math.round(gigabytes / 100) / 10} TB` : `${Math.round(gigabytes)} GB`
}

/** The entries whose value is defined (a record never carries undefined). */
function definedOnly<T extends object> (values: T): T {
  const out: Record<string, unknown> = {}
  for (const key in values) if (values[key] !== undefined) out[key] = values[key]
  return out as T
}

/** Only the specifications reported; undefined when there are none. */
function reported (values: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean> | undefined {
  const specs = definedOnly(values) as Record<string, string | number | boolean>
  return Object.keys(specs).length === 0 ? undefined : specs
}

const WIFI_ADAPTER = /802\.?11|wi-?fi|airport|wireless|wlan/i

/**
 * Jamf reports a computer's primary adapter (macAddress) and a second one (altMacAddress), each with
 * its type: en0 is Wi-Fi on a MacBook but Ethernet on an iMac or Mac mini. Wi-Fi first, else the
 * primary, else the second.
 */
function wifiFirst (hardware: Fields): string | undefined {
  const adapters = [
    { mac: normaliseMac(text(hardware, 'macAddress', 'hardware.macAddress')), type: text(hardware, 'networkAdapterType', 'hardware.networkAdapterType') },
    { mac: normaliseMac(text(hardware, 'altMacAddress', 'hardware.altMacAddress')), type: text(hardware, 'altNetworkAdapterType', 'hardware.altNetworkAdapterType') }
  ].filter(adapter => adapter.mac !== undefined)
  return (adapters.find(adapter => adapter.type !== undefined && WIFI_ADAPTER.test(adapter.type)) ?? adapters[0])?.mac
}

/** The internal disk (disk0) when Jamf lists several, e.g. with an external drive attached. */
function bootDisk (storage: Fields): Fields {
  const disks = storage.disks
  if (disks === undefined || disks === null) return {}
  if (!Array.isArray(disks)) throw new Malformed(`storage.disks must be an array, not ${kind(disks)}`)
  const objects = disks.filter((disk): disk is Fields => typeof disk === 'object' && disk !== null && !Array.isArray(disk))
  return objects.find(disk => disk.device === 'disk0') ?? objects[0] ?? {}
}

/** Builds a record, or names what is malformed about it (with its id, when it has one). */
function guarded (raw: unknown, prefix: string, idKey: string, what: string, build: (record: Fields) => Omit<DeviceRecord, 'externalId'>): Mapped {
  let externalId = `${prefix}:(no ${idKey})`
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Malformed(`the record must be an object, not ${kind(raw)}`)
    const record = raw as Fields
    externalId = `${prefix}:${identifier(record, idKey)}`
    return { ok: true, record: definedOnly({ externalId, ...build(record) }) }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err
    return { ok: false, externalId, reason: `Jamf Pro ${what} record is malformed: ${err.message}` }
  }
}

/** A record of GET /api/v3/computers-inventory (sections GENERAL, HARDWARE, OPERATING_SYSTEM, USER_AND_LOCATION, STORAGE). */
export function mapComputer (raw: unknown): Mapped {
  return guarded(raw, 'computer', 'id', 'computer', computer => {
    const general = section(computer, 'general')
    const hardware = section(computer, 'hardware')
    const os = section(computer, 'operatingSystem')
    const user = section(computer, 'userAndLocation')
    const disk = bootDisk(section(computer, 'storage'))
    const ramMegabytes = amount(hardware, 'totalRamMegabytes', 'hardware.totalRamMegabytes')
    return {
      serial: text(hardware, 'serialNumber', 'hardware.serialNumber') ?? null,
      name: text(general, 'name', 'general.name'),
      manufacturer: 'Apple',
      model: text(hardware, 'model', 'hardware.model'),
      os: text(os, 'name', 'operatingSystem.name'),
      osVersion: text(os, 'version', 'operatingSystem.version'),
      macAddress: wifiFirst(hardware),
      assignedUserEmail: email(text(user, 'email', 'userAndLocation.email')),
      // The last contact (lastContactTime before v4, lastContact since), else the last inventory report.
      // Read leniently: an odd value only costs the record its rank among duplicates.
      checkedInAt: checkInTime(general.lastContactTime ?? general.lastContact ?? general.reportDate),
      specifications: reported({
        // processorName, memoryGb and storage are the names the hardware form's suggestions read
        processorName: text(hardware, 'processorType', 'hardware.processorType'),
        processorArchitecture: text(hardware, 'processorArchitecture', 'hardware.processorArchitecture'),
        processorSpeedMhz: amount(hardware, 'processorSpeedMhz', 'hardware.processorSpeedMhz'),
        processorCount: amount(hardware, 'processorCount', 'hardware.processorCount'),
        coreCount: amount(hardware, 'coreCount', 'hardware.coreCount'),
        memoryGb: ramMegabytes === undefined ? undefined : Math.round(ramMegabytes / 1024 * 10) / 10,
        storage: storageLabel(amount(disk, 'sizeMegabytes', 'storage.disks.sizeMegabytes')),
        storageType: text(disk, 'type', 'storage.disks.type'),
        modelIdentifier: text(hardware, 'modelIdentifier', 'hardware.modelIdentifier'),
        appleSilicon: flag(hardware, 'appleSilicon', 'hardware.appleSilicon')
      })
    }
  })
}

/** The OS of a mobile device, from Jamf's deviceType (ios covers iPhone and iPad) and its model. */
function mobileOs (deviceType: string | undefined, model: string | undefined): string | undefined {
  switch (deviceType?.toLowerCase()) {
    case 'ios': return /ipad/i.test(model ?? '') ? 'iPadOS' : 'iOS'
    case 'appletv':
    case 'tvos': return 'tvOS'
    case 'watch':
    case 'watchos': return 'watchOS'
    case 'visionos': return 'visionOS'
    default: return undefined
  }
}

/** A record of GET /api/v2/mobile-devices/detail (sections GENERAL, HARDWARE, USER_AND_LOCATION). */
export function mapMobileDevice (raw: unknown): Mapped {
  return guarded(raw, 'mobile', 'mobileDeviceId', 'mobile device', mobile => {
    const general = section(mobile, 'general')
    const hardware = section(mobile, 'hardware')
    const user = section(mobile, 'userAndLocation')
    const model = text(hardware, 'model', 'hardware.model')
    return {
      serial: text(hardware, 'serialNumber', 'hardware.serialNumber') ?? null,
      name: text(general, 'displayName', 'general.displayName'),
      manufacturer: 'Apple',
      model,
      os: mobileOs(text(mobile, 'deviceType', 'deviceType'), model),
      osVersion: text(general, 'osVersion', 'general.osVersion'),
      macAddress: normaliseMac(text(hardware, 'wifiMacAddress', 'hardware.wifiMacAddress')),
      assignedUserEmail: email(text(user, 'emailAddress', 'userAndLocation.emailAddress')),
      checkedInAt: checkInTime(general.lastInventoryUpdateDate ?? general.lastInventoryUpdateTimestamp),
      specifications: reported({
        storage: storageLabel(amount(hardware, 'capacityMb', 'hardware.capacityMb')),
        modelIdentifier: text(hardware, 'modelIdentifier', 'hardware.modelIdentifier'),
        modelNumber: text(hardware, 'modelNumber', 'hardware.modelNumber')
      })
    }
  })
}
