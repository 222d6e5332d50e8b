// The fake's generated fleet: device i is computed from i alone whenever a page asks for it, so a
// fleet of 100,000 devices costs no memory. Records are shaped as Graph v1.0 sends managedDevices.

export interface Fleet {
  /** How many devices are generated (indexes 0 … size-1). */
  size: number
  /** Devices whose index is a multiple of this report an OS version derived from `revision` (0: none). */
  changedEvery: number
  revision: number
}

export const SERIAL_PREFIX = 'INT'

interface Profile {
  manufacturer: string
  model: string
  operatingSystem: string
  /** The OS version at a revision (revision 0 is what unchanged devices report). */
  osVersion: (revision: number) => string
  namePrefix: string
  storageBytes: number
  wired: boolean
  phone: boolean
}

const windows = (build: number) => (revision: number) => `10.0.22631.${build + revision}`
const PROFILES: Profile[] = [
  { manufacturer: 'Dell Inc.', model: 'Latitude 7440', operatingSystem: 'Windows', osVersion: windows(3593), namePrefix: 'LAPTOP', storageBytes: 511_101_108_224, wired: false, phone: false },
  { manufacturer: 'LENOVO', model: 'ThinkPad T14 Gen 4', operatingSystem: 'Windows', osVersion: windows(3880), namePrefix: 'LAPTOP', storageBytes: 511_101_108_224, wired: false, phone: false },
  { manufacturer: 'HP', model: 'HP EliteBook 840 G10', operatingSystem: 'Windows', osVersion: windows(4037), namePrefix: 'LAPTOP', storageBytes: 255_550_554_112, wired: false, phone: false },
  { manufacturer: 'Microsoft Corporation', model: 'Surface Laptop 5', operatingSystem: 'Windows', osVersion: windows(3593), namePrefix: 'LAPTOP', storageBytes: 255_550_554_112, wired: false, phone: false },
  { manufacturer: 'Dell Inc.', model: 'OptiPlex 7010', operatingSystem: 'Windows', osVersion: windows(3737), namePrefix: 'DESKTOP', storageBytes: 1_022_202_216_448, wired: true, phone: false },
  { manufacturer: 'LENOVO', model: 'ThinkCentre M70q Gen 4', operatingSystem: 'Windows', osVersion: windows(3880), namePrefix: 'DESKTOP', storageBytes: 511_101_108_224, wired: true, phone: false },
  { manufacturer: 'Apple', model: 'MacBook Pro (14-inch, 2023)', operatingSystem: 'macOS', osVersion: r => `14.${5 + r}`, namePrefix: 'MAC', storageBytes: 494_384_795_648, wired: false, phone: false },
  { manufacturer: 'Apple', model: 'iPhone 15', operatingSystem: 'iOS', osVersion: r => `17.${5 + r}.1`, namePrefix: 'IPHONE', storageBytes: 127_989_493_760, wired: false, phone: true },
  { manufacturer: 'Apple', model: 'iPad Air (5th generation)', operatingSystem: 'iPadOS', osVersion: r => `17.${5 + r}`, namePrefix: 'IPAD', storageBytes: 63_994_746_880, wired: false, phone: false },
  { manufacturer: 'samsung', model: 'SM-S911B', operatingSystem: 'Android', osVersion: r => `${14 + r}.0`, namePrefix: 'ANDROID', storageBytes: 255_550_554_112, wired: false, phone: true }
]

const ENROLLED = Date.parse('2024-01-08T09:00:00Z')
const LAST_SYNC = Date.parse('2026-11-01T06:00:00Z')

export const serialOf = (i: number): string => `${SERIAL_PREFIX}${String(i).padStart(7, '0')}`

/** The index of a generated serial, or null when the serial is not one of the fleet's. */
export function indexOfSerial (serial: string, fleet: Fleet): number | null {
  const match = /^INT(\d{7,})$/i.exec(serial)
  if (match === null) return null
  const i = Number(match[1])
  return serialOf(i) === serial.toUpperCase() && i < fleet.size ? i : null
}

/** Twelve hex digits without separators, as Graph reports MAC addresses; locally administered, unique per device. */
const mac = (kind: number, i: number): string => `${kind.toString(16).padStart(2, '0')}00${i.toString(16).padStart(8, '0')}`.toUpperCase()

/** A GUID-shaped Intune device id, stable per index. */
const idOf = (i: number): string => `3f1c0a4e-0000-4000-8000-${String(i).padStart(12, '0')}`

/** Device i of the fleet, as Graph's managedDevice. */
export function generatedDevice (i: number, fleet: Fleet): Record<string, unknown> {
  const profile = PROFILES[i % PROFILES.length]
  const changed = fleet.changedEvery > 0 && i % fleet.changedEvery === 0
  const email = i % 2 === 0 ? `person${i}@fleet.test` : ''
  return {
    '@odata.type': '#microsoft.graph.managedDevice',
    id: idOf(i),
    userId: email === '' ? null : `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
    deviceName: `${profile.namePrefix}-${i.toString(36).toUpperCase().padStart(5, '0')}`,
    managedDeviceOwnerType: 'company',
    enrolledDateTime: new Date(ENROLLED + i * 1000).toISOString().replace('.000Z', 'Z'),
    lastSyncDateTime: new Date(LAST_SYNC + i * 1000).toISOString().replace('.000Z', 'Z'),
    operatingSystem: profile.operatingSystem,
    complianceState: 'compliant',
    osVersion: profile.osVersion(changed ? fleet.revision : 0),
    managementAgent: 'mdm',
    emailAddress: email,
    userPrincipalName: email,
    userDisplayName: email === '' ? null : `Person ${i}`,
    model: profile.model,
    manufacturer: profile.manufacturer,
    serialNumber: serialOf(i),
    imei: profile.phone ? `35${String(i).padStart(13, '0')}` : '',
    meid: '',
    wiFiMacAddress: mac(2, i),
    ethernetMacAddress: profile.wired ? mac(6, i) : '',
    isEncrypted: true,
    totalStorageSpaceInBytes: profile.storageBytes,
    freeStorageSpaceInBytes: Math.floor(profile.storageBytes / 3),
    physicalMemoryInBytes: 0
  }
}
