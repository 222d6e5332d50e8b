// The two Jamf Pro inventories a sync reads, in order: computers, then mobile devices. Each names
// its endpoint, the sections it maps, a stable sort (by id, so pages do not shift while devices
// are renamed), the RSQL field a serial lookup filters on, and the privilege it needs.
import { mapComputer, mapMobileDevice, type Mapped } from './map.ts'

export interface Collection {
  /** The name a checkpoint carries. */
  id: 'computers' | 'mobile-devices'
  /** For messages: "computers", "mobile devices". */
  noun: string
  /** Newest first; the next is tried when a Jamf Pro server answers 404 (an older version). */
  paths: string[]
  sections: string[]
  sort: string
  serialField: string
  privilege: string
  map: (raw: unknown) => Mapped
}

export const COMPUTERS: Collection = {
  id: 'computers',
  noun: 'computers',
  // v1 is deprecated (2025-06-30) but is all that servers before v3 have
  paths: ['/api/v3/computers-inventory', '/api/v1/computers-inventory'],
  sections: ['GENERAL', 'HARDWARE', 'OPERATING_SYSTEM', 'USER_AND_LOCATION', 'STORAGE'],
  sort: 'id:asc',
  serialField: 'hardware.serialNumber',
  privilege: 'Read Computers',
  map: mapComputer
}

export const MOBILE_DEVICES: Collection = {
  id: 'mobile-devices',
  noun: 'mobile devices',
  paths: ['/api/v2/mobile-devices/detail'],
  sections: ['GENERAL', 'HARDWARE', 'USER_AND_LOCATION'],
  sort: 'mobileDeviceId:asc',
  serialField: 'serialNumber',
  privilege: 'Read Mobile Devices',
  map: mapMobileDevice
}

export const COLLECTIONS: readonly Collection[] = [COMPUTERS, MOBILE_DEVICES]
