import type { Knex } from 'knex'
import type { AuditEntry } from '../../audit/index.ts'
import type { NewEvent } from '../../events/index.ts'
import type { DeviceRecord } from '../../sdk/records.ts'
import { takeAssetTags } from '../asset-tags.ts'
import { diff, isEmpty } from '../changes.ts'
import { HARDWARE, normaliseMac, type Hardware } from '../hardware.schema.ts'
import { targetOf } from '../records.ts'
import { peopleByEmail, updateMany } from './bulk.ts'
import { deriveName, inferCategory } from './device-derive.ts'
import { emptyBatch, lastByKey, type Importer, type ImportSource } from './types.ts'

/**
 * The MDM-sourced identity fields: the only ones a re-import overwrites, and only with a value the
 * MDM still reports (a field it stops reporting is kept, never nulled). Warranty end comes from
 * warranty lookups the same way. Everything else is set once on create and belongs to the admin.
 */
const IDENTITY = {
  manufacturer: ['manufacturer', 'text'],
  model: ['model', 'text'],
  os: ['os', 'text'],
  osVersion: ['os_version', 'text'],
  macAddress: ['mac_address', 'text'],
  warrantyEnd: ['warranty_end', 'date']
} as const

const UPDATE_COLUMNS: Record<string, string> = {
  ...Object.fromEntries(Object.values(IDENTITY)),
  source_ids: 'jsonb'
}

function reported (device: DeviceRecord): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [field, [column]] of Object.entries(IDENTITY)) {
    const value = device[field as keyof typeof IDENTITY]
    if (value !== undefined && value !== null && value !== '') values[column] = column === 'mac_address' ? normaliseMac(value)! : value
  }
  return values
}

const imported = (source: ImportSource) => ({ import: { plugin: source.pluginId } })

/**
 * Devices, matched by serial within the workspace. New serials become hardware with the next
 * asset tags, an inferred category and a derived name, assigned (and pre-acknowledged) when the
 * MDM's user email exactly matches an active person; known serials get the identity fields only.
 */
export const deviceImporter: Importer<DeviceRecord> = {
  async upsert (trx, workspaceId, source, records) {
    const batch = emptyBatch()
    // The drain has already skipped devices without a serial.
    const { unique, duplicates } = lastByKey(records, r => r.serial!.trim())
    batch.skipped += duplicates.length
    const existing = new Map((await trx(HARDWARE.table).where({ workspace_id: workspaceId })
      .whereIn('serial', [...unique.keys()]).forUpdate().select(HARDWARE.columns))
      .map(raw => { const row = HARDWARE.fromDb(raw); return [row.serial, row] }))

    const fresh = [...unique.entries()].filter(([serial]) => !existing.has(serial))
    const created = await createDevices(trx, workspaceId, source, fresh)

    const updates: Array<Record<string, unknown> & { id: string }> = []
    const changesById = new Map<string, { externalId: string, changes: ReturnType<typeof diff> }>()
    for (const [serial, device] of unique) {
      const current = existing.get(serial)
      if (!current) continue
      const changes = diff(current, reported(device))
      const linked = current.source_ids[source.pluginId] === device.externalId
      if (isEmpty(changes)) batch.unchanged++
      else {
        batch.updated++
        changesById.set(current.id, { externalId: device.externalId, changes })
        batch.planned.push({ action: 'update', externalId: device.externalId, label: HARDWARE.label(current), changes })
      }
      if (!isEmpty(changes) || !linked) {
        const final = Object.fromEntries(Object.values(IDENTITY).map(([column]) => [column, (current as unknown as Record<string, unknown>)[column]]))
        updates.push({ id: current.id, ...final, ...reported(device), source_ids: { [source.pluginId]: device.externalId } })
      }
    }
    const updated = await updateMany(trx, HARDWARE, workspaceId, UPDATE_COLUMNS, updates)

    const audit: AuditEntry[] = []
    const events: NewEvent[] = []
    for (const { hardware, person, externalId } of created) {
      batch.created++
      batch.planned.push({ action: 'create', externalId, label: HARDWARE.label(hardware), changes: diff({}, pickCreated(hardware)) })
      audit.push({ action: 'hardware.created', target: targetOf(HARDWARE, hardware), details: { source: source.pluginId } })
      events.push({ type: 'hardware.created', payload: { ...hardware, ...imported(source) } })
      if (person) {
        audit.push({ action: 'hardware.assigned', target: targetOf(HARDWARE, hardware), details: { user_id: person.id, email: person.email, note: hardware.acknowledgement_note, acknowledged: true } })
        events.push({ type: 'hardware.assigned', payload: { ...hardware, user: person, ...imported(source) } })
      }
    }
    for (const hardware of updated) {
      const change = changesById.get(hardware.id)
      if (!change) continue
      audit.push({ action: 'hardware.updated', target: targetOf(HARDWARE, hardware), changes: change.changes, details: { source: source.pluginId } })
      events.push({ type: 'hardware.updated', payload: { ...hardware, changes: change.changes, ...imported(source) } })
    }
    return { result: batch, audit, events }
  },

  // An MDM forgetting a device does not make the asset disappear: the register keeps it.
  async remove () {
    return { result: 0 }
  }
}

const pickCreated = (h: Hardware) => ({
  asset_tag: h.asset_tag,
  serial: h.serial,
  name: h.name,
  category: h.category,
  status: h.status,
  assigned_user_id: h.assigned_user_id,
  manufacturer: h.manufacturer,
  model: h.model,
  os: h.os,
  os_version: h.os_version,
  mac_address: h.mac_address
})

async function createDevices (trx: Knex.Transaction, workspaceId: string, source: ImportSource, devices: Array<[string, DeviceRecord]>) {
  if (devices.length === 0) return []
  const people = await peopleByEmail(trx, workspaceId, devices.flatMap(([, d]) => d.assignedUserEmail ? [d.assignedUserEmail] : []), true)
  const tags = await takeAssetTags(trx, workspaceId, devices.length)
  const note = `Imported from MDM (${source.name})`
  const rows = devices.map(([serial, device], i) => {
    const person = device.assignedUserEmail ? people.get(device.assignedUserEmail.toLowerCase()) : undefined
    return {
      workspace_id: workspaceId,
      asset_tag: tags[i],
      serial,
      name: deriveName({ ...device, serial }, person ? person.first_name ?? person.email.split('@')[0] : null),
      category: inferCategory(device.model, device.os),
      ...reported(device),
      status: person ? 'assigned' : 'available',
      condition: 'good',
      assigned_user_id: person?.id ?? null,
      assigned_at: person ? trx.fn.now() : null,
      acknowledged_at: person ? trx.fn.now() : null,
      acknowledgement_note: person ? note : null,
      specifications: JSON.stringify(device.specifications ?? {}),
      source: source.pluginId,
      source_ids: JSON.stringify({ [source.pluginId]: device.externalId })
    }
  })
  const inserted = (await trx(HARDWARE.table).insert(rows).returning(HARDWARE.columns as string[])).map(HARDWARE.fromDb)
  const assigned = inserted.filter(h => h.assigned_user_id !== null)
  if (assigned.length > 0) {
    await trx('hardware_assignments').insert(assigned.map(h => ({ workspace_id: workspaceId, hardware_id: h.id, user_id: h.assigned_user_id, note })))
  }
  const bySerial = new Map(devices)
  const peopleById = new Map([...people.values()].map(p => [p.id, p]))
  return inserted.map(hardware => ({
    hardware,
    externalId: bySerial.get(hardware.serial)!.externalId,
    person: hardware.assigned_user_id ? peopleById.get(hardware.assigned_user_id) : undefined
  }))
}
