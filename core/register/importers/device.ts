import type { Knex } from 'knex'
import type { Changes } from '../../audit/index.ts'
import type { DeviceRecord } from '../../sdk/records.ts'
import { takeAssetTags } from '../asset-tags.ts'
import { diff, isEmpty } from '../changes.ts'
import { normaliseMac, normaliseSerial, serialKey } from '../hardware.schema.ts'
import { peopleByEmail } from './bulk.ts'
import { deriveName, inferCategory } from './device-derive.ts'
import {
  IDENTITY_COLUMNS, insertDevices, readKnown, updateDevices, type CreatedDevice, type DeviceUpdate, type Identity, type IdentityColumn, type Known, type NewDevice
} from './device-sql.ts'
import { emptyBatch, lastByKey, type ImportedBatch, type Importer, type ImportSource } from './types.ts'

/**
 * The MDM-sourced identity fields: the only ones a re-import overwrites, and only with a value the
 * MDM still reports (a field it stops reporting is kept, never nulled). Warranty end comes from
 * warranty lookups the same way. Everything else is set once on create and belongs to the admin.
 */
const FIELDS: Record<'manufacturer' | 'model' | 'os' | 'osVersion' | 'macAddress' | 'warrantyEnd', IdentityColumn> = {
  manufacturer: 'manufacturer',
  model: 'model',
  os: 'os',
  osVersion: 'os_version',
  macAddress: 'mac_address',
  warrantyEnd: 'warranty_end'
}

function reported (device: DeviceRecord): Partial<Identity> {
  const values: Partial<Identity> = {}
  for (const [field, column] of Object.entries(FIELDS)) {
    const value = device[field as keyof typeof FIELDS]
    if (value !== undefined && value !== null && value !== '') values[column] = column === 'mac_address' ? normaliseMac(value)! : value
  }
  return values
}

const identityOf = (row: Known): Identity =>
  Object.fromEntries(Object.keys(IDENTITY_COLUMNS).map(c => [c, row[c as IdentityColumn]])) as Identity

type Devices = Array<[serial: string, device: DeviceRecord]>

/**
 * Devices, matched by serial within the workspace, whatever its case (as the unique index
 * compares). New serials become hardware with the next asset tags, an inferred category and a
 * derived name, assigned (and pre-acknowledged) when the MDM's user email exactly matches an
 * active person; known serials get the identity fields only.
 *
 * Known rows are read without locks and written only when a reported value differs (or the row
 * is not linked to this plugin's id yet), guarded by the version read: an unchanged device costs
 * no write at all, and a row edited meanwhile is read again under a lock and merged then.
 * Creations are audited once per run, by the run's entry with its counts (each row keeps its
 * source and the assignment its note); each update has its own entry with the fields it
 * overwrote. Every created, assigned and updated device emits the register's event.
 */
export const deviceImporter: Importer<DeviceRecord> = {
  async upsert (trx, workspaceId, source, records, options = {}) {
    const planLimit = options.plan ?? Infinity
    const batch = emptyBatch()
    // The drain has already skipped devices without a serial. One device per serial whatever its
    // case, kept under the serial as stored (trimmed, NFC).
    const { unique: byKey, duplicates } = lastByKey(records, r => serialKey(r.serial!))
    batch.skipped += duplicates.length
    const unique = new Map([...byKey.values()].map(r => [normaliseSerial(r.serial!), r]))
    const known = await readKnown(trx, workspaceId, source.pluginId, [...unique.keys()])

    const fresh: Devices = [...unique].filter(([serial]) => !known.has(serial))
    const { created, events, emails } = await createDevices(trx, workspaceId, source, fresh)
    batch.created = created.length
    batch.eventsWritten += events
    for (const { assigned_user_id: assignee, ...row } of created.slice(0, Math.max(0, planLimit - batch.planned.length))) {
      const shown = { ...row, assigned_to: assignee === null ? null : emails.get(assignee) }
      batch.planned.push({ action: 'create', externalId: unique.get(row.serial)!.externalId, label: `${row.asset_tag} ${row.name}`, changes: diff({}, shown) })
    }

    const createdSerials = new Set(created.map(c => c.serial))
    const first = await mergeKnown(trx, workspaceId, source, [...unique].filter(([serial]) => known.has(serial)), known, batch, planLimit)
    // Created by another writer since the read, or edited since: merge them again, under a lock.
    const again = [...fresh.filter(([serial]) => !createdSerials.has(serial)).map(([serial]) => serial), ...first.missed]
    if (again.length > 0) {
      const locked = await readKnown(trx, workspaceId, source.pluginId, again, true)
      await mergeKnown(trx, workspaceId, source, again.filter(s => locked.has(s)).map(s => [s, unique.get(s)!]), locked, batch, planLimit)
      for (const serial of again.filter(s => !locked.has(s))) {
        batch.errors.push({ externalId: unique.get(serial)!.externalId, reason: 'the hardware with this serial was deleted during the import; run it again' })
      }
    }
    return { result: batch }
  },

  // An MDM forgetting a device does not make the asset disappear: the register keeps it.
  async remove () {
    return { result: 0 }
  }
}

/**
 * Writes the reported identity fields of known devices where they differ, and links rows not yet
 * linked to this plugin's id (a link alone counts as unchanged). Counts into `batch`; rows whose
 * version moved since `known` was read are not written nor counted: their serials are returned.
 */
async function mergeKnown (trx: Knex.Transaction, workspaceId: string, source: ImportSource, devices: Devices, known: Map<string, Known>, batch: ImportedBatch, planLimit: number):
Promise<{ missed: string[] }> {
  const updates: DeviceUpdate[] = []
  const byId = new Map<string, { serial: string, externalId: string, label: string, changes: Changes }>()
  for (const [serial, device] of devices) {
    const row = known.get(serial)!
    const values = reported(device)
    const changes = diff(row, values)
    if (isEmpty(changes) && row.linked === device.externalId) {
      batch.unchanged++
      continue
    }
    updates.push({ id: row.id, version: row.version, ...identityOf(row), ...values, external_id: device.externalId, changes })
    byId.set(row.id, { serial, externalId: device.externalId, label: `${row.asset_tag} ${row.name}`, changes })
  }
  const { written, events } = await updateDevices(trx, workspaceId, source, updates)
  batch.eventsWritten += events
  for (const [id, { externalId, label, changes }] of byId) {
    if (!written.has(id)) continue
    if (isEmpty(changes)) {
      batch.unchanged++
      continue
    }
    batch.updated++
    if (batch.planned.length < planLimit) batch.planned.push({ action: 'update', externalId, label, changes })
  }
  return { missed: [...byId].filter(([id]) => !written.has(id)).map(([, u]) => u.serial) }
}

/**
 * New hardware with the next asset tags; an exact email match to an active person assigns it.
 * Also returns the emails of the people assigned, by id.
 */
async function createDevices (trx: Knex.Transaction, workspaceId: string, source: ImportSource, devices: Devices):
Promise<{ created: CreatedDevice[], events: number, emails: Map<string, string> }> {
  if (devices.length === 0) return { created: [], events: 0, emails: new Map() }
  const people = await peopleByEmail(trx, workspaceId, devices.flatMap(([, d]) => d.assignedUserEmail ? [d.assignedUserEmail] : []), true)
  const tags = await takeAssetTags(trx, workspaceId, devices.length)
  const rows: NewDevice[] = devices.map(([serial, device], i) => {
    const person = device.assignedUserEmail ? people.get(device.assignedUserEmail.toLowerCase()) : undefined
    return {
      asset_tag: tags[i],
      serial,
      name: deriveName({ ...device, serial }, person ? person.first_name ?? person.email.split('@')[0] : null),
      category: inferCategory(device.model, device.os),
      ...reported(device),
      assigned_user_id: person?.id ?? null,
      assignee: person ? { id: person.id, email: person.email, first_name: person.first_name } : null,
      specifications: device.specifications ?? {},
      external_id: device.externalId
    }
  })
  const inserted = await insertDevices(trx, workspaceId, source, `Imported from ${source.origin ?? `MDM (${source.name})`}`, rows)
  return { ...inserted, emails: new Map([...people.values()].map(p => [p.id, p.email])) }
}
