// The fake's generated fleet: device i is built from its index whenever a page asks for it, never
// stored, so a fleet of 100,000 costs no memory. In every block of ten indexes, seven are computers
// (laptops and desktops) and three mobile devices (iPhones and an iPad), in Jamf Pro's field names.

export interface Fleet {
  /** Devices generated (computers and mobile devices together). */
  size: number
  /** Every device whose index is a multiple of this (when > 0) reports an OS version derived from `revision`. */
  changedEvery: number
  revision: number
}

export const SERIAL_PREFIX = 'JMF'
const BLOCK = 10
const COMPUTERS_PER_BLOCK = 7

export const serialOf = (i: number): string => `${SERIAL_PREFIX}${String(i).padStart(7, '0')}`

/** The index a generated serial stands for, or null. */
export function indexOfSerial (serial: string): number | null {
  const match = new RegExp(`^${SERIAL_PREFIX}(\\d{7})$`, 'i').exec(serial.trim())
  return match === null ? null : Number(match[1])
}

export const isComputerIndex = (i: number): boolean => i % BLOCK < COMPUTERS_PER_BLOCK

export const computerCount = (size: number): number =>
  Math.floor(size / BLOCK) * COMPUTERS_PER_BLOCK + Math.min(size % BLOCK, COMPUTERS_PER_BLOCK)
export const mobileCount = (size: number): number =>
  Math.floor(size / BLOCK) * (BLOCK - COMPUTERS_PER_BLOCK) + Math.max(size % BLOCK - COMPUTERS_PER_BLOCK, 0)

/** Fleet index of the k-th computer / mobile device (both zero-based), and back. */
export const computerIndex = (k: number): number => Math.floor(k / COMPUTERS_PER_BLOCK) * BLOCK + k % COMPUTERS_PER_BLOCK
export const mobileIndex = (k: number): number =>
  Math.floor(k / (BLOCK - COMPUTERS_PER_BLOCK)) * BLOCK + COMPUTERS_PER_BLOCK + k % (BLOCK - COMPUTERS_PER_BLOCK)
export const positionOf = (i: number): number => isComputerIndex(i)
  ? Math.floor(i / BLOCK) * COMPUTERS_PER_BLOCK + i % BLOCK
  : Math.floor(i / BLOCK) * (BLOCK - COMPUTERS_PER_BLOCK) + i % BLOCK - COMPUTERS_PER_BLOCK

interface MacModel {
  model: string
  identifier: string
  chip: string
  cores: number
  ramMegabytes: number
  diskMegabytes: number
  /** Desktops: en0 is Ethernet and Wi-Fi the second adapter. */
  desktop: boolean
}

const MACS: MacModel[] = [
  { model: 'MacBook Pro (14-inch, 2023)', identifier: 'Mac14,9', chip: 'Apple M2 Pro', cores: 10, ramMegabytes: 16384, diskMegabytes: 500277, desktop: false },
  { model: 'MacBook Air (13-inch, M2, 2022)', identifier: 'Mac14,2', chip: 'Apple M2', cores: 8, ramMegabytes: 8192, diskMegabytes: 251000, desktop: false },
  { model: 'MacBook Pro (16-inch, Nov 2023)', identifier: 'Mac15,7', chip: 'Apple M3 Pro', cores: 12, ramMegabytes: 36864, diskMegabytes: 1000240, desktop: false },
  { model: 'iMac (24-inch, 2023)', identifier: 'Mac15,4', chip: 'Apple M3', cores: 8, ramMegabytes: 16384, diskMegabytes: 500277, desktop: true },
  { model: 'Mac mini (2023)', identifier: 'Mac14,3', chip: 'Apple M2', cores: 8, ramMegabytes: 8192, diskMegabytes: 251000, desktop: true },
  { model: 'MacBook Air (15-inch, M3, 2024)', identifier: 'Mac15,13', chip: 'Apple M3', cores: 8, ramMegabytes: 16384, diskMegabytes: 500277, desktop: false },
  { model: 'Mac Studio (2023)', identifier: 'Mac14,13', chip: 'Apple M2 Max', cores: 12, ramMegabytes: 32768, diskMegabytes: 1000240, desktop: true }
]

const MOBILES = [
  { model: 'iPhone 15', identifier: 'iPhone15,4', number: 'MTP03LL/A', capacityMb: 121862 },
  { model: 'iPad Air (5th generation)', identifier: 'iPad13,16', number: 'MM9C3LL/A', capacityMb: 60950 },
  { model: 'iPhone 14 Pro', identifier: 'iPhone15,2', number: 'MQ0G3LL/A', capacityMb: 243733 }
]

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0').toUpperCase()
const macOf = (prefix: string, i: number): string => `${prefix}:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`
/** Jamf's form, upper-case with colons. */
export const wifiMacOf = (i: number): string => macOf('A4:83:E7', i)
const ethernetMacOf = (i: number): string => macOf('3C:22:FB', i)
const udidOf = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0').toUpperCase()}`
/** A stable inventory time per device. */
const reportDateOf = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
const changed = (fleet: Fleet, i: number): boolean => fleet.changedEvery > 0 && i % fleet.changedEvery === 0

/** person<i>@fleet.test for even i; odd devices have no user (Jamf answers empty strings). */
export const emailOf = (i: number): string => i % 2 === 0 ? `person${i}@fleet.test` : ''

/** Computer i as GET computers-inventory returns it, with only the requested sections (the others null). */
export function generatedComputer (fleet: Fleet, i: number, sections: Set<string>): Record<string, unknown> {
  const mac = MACS[i % BLOCK]
  const wifi = { mac: wifiMacOf(i), type: 'IEEE80211' }
  const ethernet = { mac: ethernetMacOf(i), type: 'Ethernet' }
  const [primary, second] = mac.desktop ? [ethernet, wifi] : [wifi, null]
  const email = emailOf(i)
  return {
    id: String(positionOf(i) + 1),
    udid: udidOf(i),
    general: !sections.has('GENERAL')
      ? null
      : { name: `${mac.model.split(' (')[0]} ${i}`, platform: 'Mac', assetTag: null, reportDate: reportDateOf(i), lastContactTime: reportDateOf(i), remoteManagement: { managed: true }, supervised: true },
    hardware: !sections.has('HARDWARE')
      ? null
      : {
          make: 'Apple',
          model: mac.model,
          modelIdentifier: mac.identifier,
          serialNumber: serialOf(i),
          processorType: mac.chip,
          processorArchitecture: 'arm64',
          processorSpeedMhz: 0,
          processorCount: 1,
          coreCount: mac.cores,
          totalRamMegabytes: mac.ramMegabytes,
          networkAdapterType: primary.type,
          macAddress: primary.mac,
          altNetworkAdapterType: second?.type ?? null,
          altMacAddress: second?.mac ?? null,
          appleSilicon: true
        },
    operatingSystem: !sections.has('OPERATING_SYSTEM')
      ? null
      : { name: 'macOS', version: changed(fleet, i) ? `14.${4 + fleet.revision}` : '14.4', build: '23E214' },
    userAndLocation: !sections.has('USER_AND_LOCATION')
      ? null
      : { username: email === '' ? '' : `person${i}`, realname: email === '' ? '' : `Person ${i}`, email, position: '', phone: '', departmentId: '-1', buildingId: '-1', room: '' },
    storage: !sections.has('STORAGE')
      ? null
      : { bootDriveAvailableSpaceMegabytes: Math.floor(mac.diskMegabytes / 2), disks: [{ id: '1', device: 'disk0', model: 'APPLE SSD', sizeMegabytes: mac.diskMegabytes, smartStatus: 'Verified', type: 'SSD' }] }
  }
}

/** Mobile device i as GET mobile-devices/detail returns it. */
export function generatedMobile (fleet: Fleet, i: number, sections: Set<string>): Record<string, unknown> {
  const device = MOBILES[i % BLOCK - COMPUTERS_PER_BLOCK]
  const email = emailOf(i)
  return {
    mobileDeviceId: String(positionOf(i) + 1),
    deviceType: 'ios',
    general: !sections.has('GENERAL')
      ? null
      : { udid: udidOf(i), displayName: `${device.model} ${i}`, osVersion: changed(fleet, i) ? `17.${4 + fleet.revision}` : '17.4', osBuild: '21E219', lastInventoryUpdateDate: reportDateOf(i), managed: true, supervised: true },
    hardware: !sections.has('HARDWARE')
      ? null
      : { capacityMb: device.capacityMb, availableSpaceMb: Math.floor(device.capacityMb / 3), serialNumber: serialOf(i), wifiMacAddress: wifiMacOf(i), bluetoothMacAddress: macOf('F0:18:98', i), model: device.model, modelIdentifier: device.identifier, modelNumber: device.number },
    userAndLocation: !sections.has('USER_AND_LOCATION')
      ? null
      : { username: email === '' ? '' : `person${i}`, realName: email === '' ? '' : `Person ${i}`, emailAddress: email, position: '', phoneNumber: '', room: '' }
  }
}
