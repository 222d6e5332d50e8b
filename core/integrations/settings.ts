import type { Knex } from 'knex'
import { recordAudit, type Actor, type Changes } from '../audit/index.ts'
import { destinationSettings, listed, type PluginManifest } from './manifest.ts'
import { declaredSchedule } from './schedule.ts'
import { secretFields, validateSettings, type SettingsFieldError, type SettingsSchema } from './settings-validation.ts'

/** What settings need of core/secrets: envelope encryption per workspace. */
export interface Cipher {
  encryptFields: (workspaceId: string, fields: Record<string, string>, trx?: Knex.Transaction) => Promise<Record<string, string>>
  decryptFields: (workspaceId: string, fields: Record<string, string>, trx?: Knex.Transaction) => Promise<Record<string, string>>
}

export interface PluginSettingsInfo {
  id: string
  settingsSchema: SettingsSchema | null
  /** Where credentials go ({{setting}}s of allowedHosts and oauth2): see destinationSettings. */
  manifest?: Pick<PluginManifest, 'allowedHosts' | 'oauth2' | 'syncs'>
}

const NO_SETTINGS: SettingsSchema = { type: 'object', properties: {}, additionalProperties: false }

export interface IntegrationRow {
  workspace_id: string
  plugin_id: string
  enabled: boolean
  settings: Record<string, unknown>
  secrets: Record<string, string>
  /** After a failed test or run, until one succeeds (core/integrations/connection-state.ts). */
  needs_attention: boolean
  attention_reason: string | null
  /** When a test or run last succeeded. */
  last_ok_at: Date | null
  last_test_at: Date | null
  last_test_ok: boolean | null
  last_test_message: string | null
  schedule_minutes: number | null
  next_sync_at: Date | null
  last_sync_at: Date | null
  last_sync_ok: boolean | null
  badge_count: number | null
  /** The mass-removal guard's share (core/integrations/removal-guard.ts). */
  removal_guard_percent: number
  version: number
}

/** The form's view of saved settings: plain values, and only *whether* each secret is set. */
export interface SettingsForm {
  enabled: boolean
  values: Record<string, unknown>
  secretsSaved: Record<string, boolean>
}

export type SaveResult = { ok: true, row: IntegrationRow } | { ok: false, errors: SettingsFieldError[] }

const blank = (v: unknown) => v === undefined || v === null || v === ''
const comparable = (v: unknown): string => typeof v === 'string' ? v.trim() : JSON.stringify(v) ?? ''

/**
 * The titles of the destination settings this save changes: a plain one whose value differs from
 * the saved one (both with the schema's defaults), a secret one that is entered anew.
 */
function movedDestinations (plugin: PluginSettingsInfo, schema: SettingsSchema, saved: Record<string, unknown>, candidate: Record<string, unknown>, input: Record<string, unknown>): string[] {
  const secrets = secretFields(schema)
  const before = structuredClone(saved)
  validateSettings(schema, before) // fills in the defaults a row saved before a setting existed lacks
  return destinationSettings(plugin.manifest ?? {})
    .filter(name => secrets.includes(name) ? !blank(input[name]) : comparable(before[name]) !== comparable(candidate[name]))
    .map(name => {
      const title = schema.properties?.[name]?.title
      return typeof title === 'string' && title !== '' ? title : name
    })
}

export class IntegrationSettings {
  constructor (private readonly db: Knex, private readonly cipher: Cipher) {}

  async get (workspaceId: string, pluginId: string, db: Knex | Knex.Transaction = this.db): Promise<IntegrationRow | undefined> {
    return await db('integrations').where({ workspace_id: workspaceId, plugin_id: pluginId }).first()
  }

  async list (workspaceId: string): Promise<IntegrationRow[]> {
    return await this.db('integrations').where({ workspace_id: workspaceId })
  }

  async form (workspaceId: string, plugin: PluginSettingsInfo): Promise<SettingsForm> {
    const row = await this.get(workspaceId, plugin.id)
    const secrets = secretFields(plugin.settingsSchema ?? NO_SETTINGS)
    return {
      enabled: row?.enabled ?? false,
      values: row?.settings ?? {},
      secretsSaved: Object.fromEntries(secrets.map(name => [name, Boolean(row?.secrets[name])]))
    }
  }

  /** The settings a connector sees: validated values with secrets decrypted. */
  async resolve (workspaceId: string, plugin: PluginSettingsInfo, trx?: Knex.Transaction): Promise<Record<string, unknown>> {
    const row = await this.get(workspaceId, plugin.id, trx)
    if (!row) return {}
    return { ...row.settings, ...await this.cipher.decryptFields(workspaceId, row.secrets, trx) }
  }

  /**
   * Validates against the plugin's schema and saves: a blank secret field keeps the stored
   * secret, a filled one replaces it — unless a destination setting changes (where credentials
   * go), when every stored secret must be entered again. Audited with the changed field names
   * (secrets as "changed", never their values).
   */
  async save (workspaceId: string, actor: Actor, plugin: PluginSettingsInfo, input: Record<string, unknown>, opts: { enabled?: boolean } = {}): Promise<SaveResult> {
    const schema = plugin.settingsSchema ?? NO_SETTINGS
    const known = Object.keys(schema.properties ?? {})
    const unknown = Object.keys(input).filter(k => !known.includes(k))
    if (unknown.length > 0) return { ok: false, errors: unknown.map(field => ({ field, rule: 'unknown', message: 'is not a setting of this integration' })) }

    const secrets = secretFields(schema)
    return await this.db.transaction(async trx => {
      const row = await this.get(workspaceId, plugin.id, trx)
      const newSecrets = Object.fromEntries(secrets.filter(k => !blank(input[k])).map(k => [k, String(input[k])]))
      const kept = Object.fromEntries(secrets.filter(k => blank(input[k]) && row?.secrets[k]).map(k => [k, row!.secrets[k]]))
      const keptSecrets = await this.cipher.decryptFields(workspaceId, kept, trx)
      const plain = Object.fromEntries(known.filter(k => !secrets.includes(k) && !blank(input[k])).map(k => [k, input[k]]))
      const candidate: Record<string, unknown> = { ...plain, ...keptSecrets, ...newSecrets }
      const errors = validateSettings(schema, candidate)
      const moved = row === undefined || Object.keys(kept).length === 0 ? [] : movedDestinations(plugin, schema, row.settings, candidate, input)
      if (moved.length > 0) {
        const message = `must be entered again: ${listed(moved)} changed, and a saved secret is sent only where it was entered for`
        errors.push(...Object.keys(kept).map(field => ({ field, rule: 'reenter', message })))
      }
      if (errors.length > 0) return { ok: false as const, errors }

      const settings = Object.fromEntries(Object.entries(candidate).filter(([k]) => !secrets.includes(k)))
      const ciphertexts = { ...(row?.secrets ?? {}), ...await this.cipher.encryptFields(workspaceId, newSecrets, trx) }
      const enabled = opts.enabled ?? row?.enabled ?? false

      const changes: Changes = {}
      for (const k of new Set([...Object.keys(settings), ...Object.keys(row?.settings ?? {})])) {
        if (JSON.stringify(settings[k]) !== JSON.stringify(row?.settings[k])) changes[k] = { old: row?.settings[k] ?? null, new: settings[k] ?? null }
      }
      for (const k of Object.keys(newSecrets)) changes[k] = { old: row?.secrets[k] ? '(set)' : null, new: '(changed)' }
      if (enabled !== (row?.enabled ?? false)) changes.enabled = { old: row?.enabled ?? false, new: enabled }
      // A first save starts on the schedule the plugin declares (off unless it declares one).
      const schedule = row === undefined ? declaredSchedule(plugin) : null
      if (schedule !== null) changes.schedule_minutes = { old: null, new: schedule }

      const [saved] = await trx('integrations')
        .insert({
          workspace_id: workspaceId,
          plugin_id: plugin.id,
          enabled,
          settings: JSON.stringify(settings),
          secrets: JSON.stringify(ciphertexts),
          schedule_minutes: schedule,
          next_sync_at: schedule === null ? null : trx.raw('now() + make_interval(mins => ?)', [schedule])
        })
        .onConflict(['workspace_id', 'plugin_id'])
        .merge({ enabled, settings: JSON.stringify(settings), secrets: JSON.stringify(ciphertexts), updated_at: trx.fn.now(), version: trx.raw('integrations.version + 1') })
        .returning('*')
      // Tokens from an admin's consent were given by the vendor at the old destination: they never follow a new one.
      if (row !== undefined && movedDestinations(plugin, schema, row.settings, candidate, input).length > 0) {
        const forgotten = await trx('integration_oauth_tokens').where({ workspace_id: workspaceId, plugin_id: plugin.id }).delete()
        if (forgotten > 0) changes.consent = { old: '(given)', new: '(forgotten: connect again)' }
      }
      if (Object.keys(changes).length > 0) {
        await recordAudit(trx, workspaceId, actor, { action: 'integration.settings_saved', target: { type: 'integration', id: plugin.id, label: plugin.id }, changes })
      }
      return { ok: true as const, row: saved as IntegrationRow }
    })
  }

  async setEnabled (workspaceId: string, actor: Actor, plugin: PluginSettingsInfo, enabled: boolean): Promise<void> {
    await this.db.transaction(async trx => {
      const row = await this.get(workspaceId, plugin.id, trx)
      if ((row?.enabled ?? false) === enabled) return
      await trx('integrations').insert({ workspace_id: workspaceId, plugin_id: plugin.id, enabled })
        .onConflict(['workspace_id', 'plugin_id']).merge({ enabled, updated_at: trx.fn.now(), version: trx.raw('integrations.version + 1') })
      await recordAudit(trx, workspaceId, actor, {
        action: enabled ? 'integration.enabled' : 'integration.disabled', target: { type: 'integration', id: plugin.id, label: plugin.id }
      })
    })
  }
}
