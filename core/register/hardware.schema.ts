import type { Kind, VersionCheck } from './records.ts'
import {
  date, id, jsonObject, money, objectSchema, oneOf, optionalText, patchSchema, text, validator, version, type PropertySchema
} from './validate.ts'

export const HARDWARE_STATUSES = ['available', 'assigned', 'in_repair', 'retired', 'lost'] as const
export const HARDWARE_CONDITIONS = ['new', 'good', 'fair', 'poor', 'broken'] as const
export type HardwareStatus = typeof HARDWARE_STATUSES[number]
export type HardwareCondition = typeof HARDWARE_CONDITIONS[number]

export interface Hardware {
  id: string
  workspace_id: string
  asset_tag: string
  serial: string
  name: string
  category: string
  manufacturer: string | null
  model: string | null
  os: string | null
  os_version: string | null
  mac_address: string | null
  status: HardwareStatus
  condition: HardwareCondition
  assigned_user_id: string | null
  assigned_at: Date | null
  acknowledged_at: Date | null
  acknowledgement_note: string | null
  cpu: string | null
  ram: string | null
  storage: string | null
  purchase_price: number | null
  purchase_date: string | null
  warranty_end: string | null
  notes: string | null
  specifications: Record<string, unknown>
  source: string
  source_ids: Record<string, unknown>
  version: number
  created_at: Date
  updated_at: Date
}

/** Assignment fields are written by assign() and recover() only. */
type Editable = Omit<Hardware, 'id' | 'workspace_id' | 'version' | 'created_at' | 'updated_at' |
  'assigned_user_id' | 'assigned_at' | 'acknowledged_at' | 'acknowledgement_note'>
export type HardwareInput = Partial<Editable> & { serial: string, name: string }
export type HardwarePatch = Partial<Editable>

export const HARDWARE: Kind<Hardware> = {
  table: 'hardware',
  noun: 'Hardware',
  target: 'hardware',
  columns: ['id', 'workspace_id', 'asset_tag', 'serial', 'name', 'category', 'manufacturer', 'model', 'os', 'os_version',
    'mac_address', 'status', 'condition', 'assigned_user_id', 'assigned_at', 'acknowledged_at', 'acknowledgement_note',
    'cpu', 'ram', 'storage', 'purchase_price', 'purchase_date', 'warranty_end', 'notes', 'specifications', 'source',
    'source_ids', 'version', 'created_at', 'updated_at'],
  fromDb: raw => ({ ...raw, purchase_price: raw.purchase_price == null ? null : Number(raw.purchase_price) }) as unknown as Hardware,
  label: h => `${h.asset_tag} ${h.name}`
}

/** The editable fields' schemas, shared with the API's request schemas. */
export const HARDWARE_PROPERTIES: Record<string, PropertySchema> = {
  asset_tag: { ...text(64), format: 'asset-tag' },
  serial: text(128),
  name: text(),
  category: text(64),
  manufacturer: optionalText(),
  model: optionalText(),
  os: optionalText(),
  os_version: optionalText(),
  mac_address: { type: ['string', 'null'], format: 'mac' },
  status: oneOf(HARDWARE_STATUSES),
  condition: oneOf(HARDWARE_CONDITIONS),
  cpu: optionalText(),
  ram: optionalText(),
  storage: optionalText(),
  purchase_price: money,
  purchase_date: date,
  warranty_end: date,
  notes: optionalText(10000),
  specifications: jsonObject,
  source: text(64),
  source_ids: jsonObject
}

export const validateHardware = validator<HardwareInput>(objectSchema(HARDWARE_PROPERTIES, ['serial', 'name']))
export const validateHardwarePatch = validator<HardwarePatch>(patchSchema(objectSchema(HARDWARE_PROPERTIES)))

export interface AssignOptions extends VersionCheck { note?: string | null, acknowledged?: boolean }
export interface RecoverOptions extends VersionCheck { condition?: HardwareCondition, note?: string | null }

export const ASSIGN_PROPERTIES = { user_id: id, note: optionalText(1000), acknowledged: { type: 'boolean' } }
export const RECOVER_PROPERTIES = { condition: oneOf(HARDWARE_CONDITIONS), note: optionalText(1000) }

export const validateAssign = validator<AssignOptions & { user_id: string }>(objectSchema({
  ...ASSIGN_PROPERTIES, expectedVersion: version
}, ['user_id']))
export const validateRecover = validator<RecoverOptions>(objectSchema({ ...RECOVER_PROPERTIES, expectedVersion: version }))

/**
 * A serial as stored: trimmed and in Unicode NFC, so the same characters typed on a Mac (NFD) and
 * elsewhere are one serial. Case is kept as entered; the database compares lower(serial), one
 * device per workspace whatever the case (migrations/015).
 */
export const normaliseSerial = (serial: string): string => serial.trim().normalize('NFC')

/** Serials that are one device: what the unique index on (workspace_id, lower(serial)) compares. */
export const serialKey = (serial: string): string => normaliseSerial(serial).toLowerCase()

/** MAC addresses stored one way (3C:22:FB:0A:1B:2C), so re-imports compare equal. */
export function normaliseMac (mac: string | null | undefined): string | null | undefined {
  if (!mac) return mac
  return mac.replace(/[:-]/g, '').toUpperCase().match(/../g)!.join(':')
}
