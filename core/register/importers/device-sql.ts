// The device importer's set-based statements: one per chunk for the creations and one for the
// updates, each writing its hardware rows, their assignments, audit entries and outbox events
// together, with the rows travelling as one jsonb recordset. Reading takes no lock (an unchanged
// device must cost no write, and a row lock is one); updates are guarded by the version read, so
// a concurrent edit is never overwritten with stale values.
import type { Knex } from 'knex'
import type { Changes } from '../../audit/index.ts'
import { hardwareJson } from './hardware-json.ts'
import type { ImportSource } from './types.ts'

/** The MDM-sourced columns a re-import compares and overwrites, with their SQL types. */
export const IDENTITY_COLUMNS = {
  manufacturer: 'text',
  model: 'text',
  os: 'text',
  os_version: 'text',
  mac_address: 'text',
  warranty_end: 'date'
} as const

export type IdentityColumn = keyof typeof IDENTITY_COLUMNS
export type Identity = Record<IdentityColumn, string | null>

const IDENTITY = Object.keys(IDENTITY_COLUMNS) as IdentityColumn[]
const recordsetTypes = (names: readonly IdentityColumn[]) => names.map(c => `${c} ${IDENTITY_COLUMNS[c]}`)

/** What the importer knows of a hardware row it matched by serial. */
export interface Known extends Identity {
  id: string
  serial: string
  version: number
  asset_tag: string
  name: string
  /** The plugin's id of this device in source_ids, null when not linked yet. */
  linked: string | null
}

/**
 * The hardware of the workspace with these serials whatever their case, through the unique index
 * on lower(serial), by the serial asked for; `lock` takes row locks (only on a retry after a
 * concurrent edit).
 */
export async function readKnown (trx: Knex.Transaction, workspaceId: string, pluginId: string, serials: string[], lock = false): Promise<Map<string, Known>> {
  if (serials.length === 0) return new Map()
  // The keys are given as values, as `serial = ANY(?)` was given the serials: Postgres hashes a
  // constant array, which keeps the lookup cheap even on a plan made before the table had
  // statistics (mid-way through a first import). Lower-cased inside the statement instead, the
  // array was an expression compared with every row of the workspace: 8 s a batch at 50,000 rows.
  const keys = await lowerCased(trx, serials)
  const { rows } = await trx.raw<{ rows: Array<Known & { key: string }> }>(`
    SELECT id, serial, version, asset_tag, name, ${IDENTITY.join(', ')}, source_ids ->> ? AS linked, lower(serial) AS key
    FROM hardware WHERE workspace_id = ? AND lower(serial) = ANY(?::text[]) ${lock ? 'FOR UPDATE' : ''}`, [pluginId, workspaceId, keys])
  const byKey = new Map(rows.map(({ key, ...row }) => [key, row]))
  return new Map(serials.flatMap((serial, i) => {
    const row = byKey.get(keys[i])
    return row ? [[serial, row]] : []
  }))
}

const PRINTABLE_ASCII = /^[ -~]*$/
/** Per database configuration: whether its lower() turns A–Z into a–z (not so in a Turkish locale, where I becomes ı). */
const plainAscii = new WeakMap<object, Promise<boolean>>()

/**
 * The serials as the database's lower() has them, as the unique index holds them: lower-cased
 * here when they are ASCII and the database lower-cases ASCII plainly (nearly always), else by
 * Postgres, since JavaScript lower-cases some letters otherwise (a final Σ).
 */
async function lowerCased (trx: Knex.Transaction, serials: string[]): Promise<string[]> {
  const config = trx.client.config as object
  if (!plainAscii.has(config)) {
    plainAscii.set(config, trx.raw<{ rows: Array<{ plain: boolean }> }>("SELECT lower('ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'abcdefghijklmnopqrstuvwxyz' AS plain").then(r => r.rows[0].plain))
  }
  if (serials.every(serial => PRINTABLE_ASCII.test(serial)) && await plainAscii.get(config)) return serials.map(serial => serial.toLowerCase())
  const { rows } = await trx.raw<{ rows: Array<{ keys: string[] }> }>(
    'SELECT array_agg(lower(s) ORDER BY n) AS keys FROM unnest(?::text[]) WITH ORDINALITY AS u(s, n)', [serials])
  return rows[0].keys
}

export interface NewDevice extends Partial<Identity> {
  asset_tag: string
  serial: string
  name: string
  category: string
  assigned_user_id: string | null
  /** The person assigned, as the `hardware.assigned` event names them. */
  assignee: { id: string, email: string, first_name: string | null } | null
  specifications: Record<string, unknown>
  external_id: string
}

/** A created row, with what a preview shows of it. */
export interface CreatedDevice extends Identity {
  asset_tag: string
  serial: string
  name: string
  category: string
  status: string
  assigned_user_id: string | null
}

const importMark = 'jsonb_build_object(\'plugin\', :plugin::text)'

/**
 * Inserts new hardware, opens the assignments of the assigned ones and emits `hardware.created`
 * for each, then `hardware.assigned` for the assigned ones, in one statement. A serial another
 * writer created meanwhile, in any case, is left out (ON CONFLICT DO NOTHING): the caller finds it
 * missing from the result and updates it instead. Returns the created rows and the number of events written.
 */
export async function insertDevices (trx: Knex.Transaction, workspaceId: string, source: ImportSource, note: string, devices: NewDevice[]): Promise<{ created: CreatedDevice[], events: number }> {
  if (devices.length === 0) return { created: [], events: 0 }
  const types = ['asset_tag text', 'serial text', 'name text', 'category text', ...recordsetTypes(IDENTITY), 'assigned_user_id uuid', 'assignee jsonb', 'specifications jsonb', 'external_id text']
  // The events' order is their sequence: UNION ALL appends its branches in order, so every
  // device's `hardware.created` comes before its `hardware.assigned` (webhooks deliver per device in sequence).
  const { rows } = await trx.raw<{ rows: Array<CreatedDevice & { events: number }> }>(`
    WITH v AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset(:rows::jsonb) AS v(${types.join(', ')})
    ), inserted AS (
      INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, ${IDENTITY.join(', ')}, status, condition,
        assigned_user_id, assigned_at, acknowledged_at, acknowledgement_note, specifications, source, source_ids)
      SELECT :ws, v.asset_tag, v.serial, v.name, v.category, ${IDENTITY.map(c => `v.${c}`).join(', ')},
        CASE WHEN v.assigned_user_id IS NULL THEN 'available' ELSE 'assigned' END, 'good', v.assigned_user_id,
        CASE WHEN v.assigned_user_id IS NULL THEN NULL ELSE now() END,
        CASE WHEN v.assigned_user_id IS NULL THEN NULL ELSE now() END,
        CASE WHEN v.assigned_user_id IS NULL THEN NULL ELSE :note END,
        v.specifications, :plugin, jsonb_build_object(:plugin::text, v.external_id)
      FROM v
      ON CONFLICT (workspace_id, lower(serial)) DO NOTHING
      RETURNING *
    ), assignments AS (
      INSERT INTO hardware_assignments (workspace_id, hardware_id, user_id, assigned_at, note)
      SELECT workspace_id, id, assigned_user_id, assigned_at, :note FROM inserted WHERE assigned_user_id IS NOT NULL
    ), events AS (
      INSERT INTO events (workspace_id, type, payload)
      SELECT :ws::uuid, 'hardware.created', ${hardwareJson('i')} || jsonb_build_object('import', ${importMark}) FROM inserted i
      UNION ALL
      SELECT :ws::uuid, 'hardware.assigned', ${hardwareJson('i')} || jsonb_build_object('user', v.assignee, 'import', ${importMark})
      FROM inserted i JOIN v ON v.serial = i.serial WHERE i.assigned_user_id IS NOT NULL
      RETURNING 1
    )
    SELECT asset_tag, serial, name, category, status, assigned_user_id, ${IDENTITY.join(', ')}, (SELECT count(*) FROM events)::int AS events
    FROM inserted`, { ws: workspaceId, plugin: source.pluginId, note, rows: JSON.stringify(devices) })
  return { created: rows.map(({ events: _, ...row }) => row), events: rows[0]?.events ?? 0 }
}

/** A known row to write: its id and the version it was read at, the final identity values, and what changed. */
export interface DeviceUpdate extends Identity {
  id: string
  version: number
  external_id: string
  changes: Changes
}

/**
 * Writes the identity fields of known rows and links them to the plugin's id, each only if still
 * at the version read; rows with changes get an audit entry (the fields overwritten) and a
 * `hardware.updated` event in the same statement. Returns the ids written and the events written.
 */
export async function updateDevices (trx: Knex.Transaction, workspaceId: string, source: ImportSource, updates: DeviceUpdate[]): Promise<{ written: Set<string>, events: number }> {
  if (updates.length === 0) return { written: new Set(), events: 0 }
  const types = ['id uuid', 'version int', ...recordsetTypes(IDENTITY), 'external_id text', 'changes jsonb']
  const { rows } = await trx.raw<{ rows: Array<{ id: string, events: number }> }>(`
    WITH updated AS (
      UPDATE hardware AS h SET ${IDENTITY.map(c => `${c} = v.${c}`).join(', ')},
        source_ids = h.source_ids || jsonb_build_object(:plugin::text, v.external_id), version = h.version + 1, updated_at = now()
      FROM jsonb_to_recordset(:rows::jsonb) AS v(${types.join(', ')})
      WHERE h.workspace_id = :ws AND h.id = v.id AND h.version = v.version
      RETURNING h.*, v.changes AS import_changes
    ), audit AS (
      INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, changes, details)
      SELECT :ws, 'plugin', :plugin, :pluginName, 'hardware.updated', 'hardware', id::text, asset_tag || ' ' || name,
        import_changes, jsonb_build_object('source', :plugin::text)
      FROM updated WHERE import_changes <> '{}'::jsonb
    ), events AS (
      INSERT INTO events (workspace_id, type, payload)
      SELECT :ws, 'hardware.updated', ${hardwareJson('u')} || jsonb_build_object('changes', u.import_changes, 'import', ${importMark})
      FROM updated u WHERE u.import_changes <> '{}'::jsonb
      RETURNING 1
    )
    SELECT id, (SELECT count(*) FROM events)::int AS events FROM updated`,
  { ws: workspaceId, plugin: source.pluginId, pluginName: source.name, rows: JSON.stringify(updates) })
  return { written: new Set(rows.map(r => r.id)), events: rows[0]?.events ?? 0 }
}
