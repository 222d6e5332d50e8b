// What a plugin's card.hbs is rendered with: its settings as form fields, secrets reduced to
// whether they are saved (never their values), and enum options pre-marked as selected so a card
// needs no helpers. Rendered in a helper-less handlebars environment with HTML escaping.
import Handlebars from 'handlebars'
import type { PluginManifest } from './manifest.ts'
import type { SettingsSchema } from './settings-validation.ts'

export interface CardOption { value: string, label: string, selected: boolean }

export interface CardField {
  name: string
  label: string
  description: string | null
  type: string
  format: string | null
  required: boolean
  secret: boolean
  /** Secrets only: whether a value is stored ("saved — leave blank to keep"). */
  saved: boolean
  /** Non-secret fields only: the saved value, else the schema default. */
  value: unknown
  /** Booleans: whether it is on. */
  checked: boolean
  /** Enums and arrays of enums. */
  options: CardOption[] | null
  /** Why the last save refused this field. */
  error: string | null
}

export interface CardContext {
  plugin: Pick<PluginManifest, 'id' | 'name' | 'description' | 'docsUrl' | 'status' | 'vendorScopes'>
  enabled: boolean
  /** By setting name, for hand-written cards: {{fields.webhookUrl.saved}} */
  fields: Record<string, CardField>
  /** In schema order, for generic forms: {{#each fieldList}} */
  fieldList: CardField[]
  /** The workspace's address (https://acme.stocktake.example), for an address the admin registers at the vendor; absent outside a workspace. */
  workspaceUrl?: string
}

/** The form state of one workspace's settings (see IntegrationSettings.form). */
export interface CardForm {
  enabled: boolean
  values: Record<string, unknown>
  secretsSaved: Record<string, boolean>
  /** Field -> message, after a refused save. */
  errors?: Record<string, string>
}

interface Prop { type?: string | string[], title?: string, description?: string, format?: string, default?: unknown, writeOnly?: boolean, enum?: unknown[], oneOf?: Prop[], anyOf?: Prop[], const?: unknown, items?: Prop }

const humanize = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').replace(/^./, c => c.toUpperCase())

function choices (prop: Prop | undefined): Array<{ value: string, label: string }> | null {
  if (prop?.enum !== undefined) return prop.enum.map(v => ({ value: String(v), label: String(v) }))
  const alternatives = prop?.oneOf ?? prop?.anyOf
  if (alternatives?.every(a => a.const !== undefined) === true) {
    return alternatives.map(a => ({ value: String(a.const), label: a.title ?? String(a.const) }))
  }
  return null
}

function field (name: string, prop: Prop, required: boolean, form: CardForm): CardField {
  const secret = prop.writeOnly === true
  const value = secret ? null : form.values[name] ?? prop.default ?? null
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type ?? 'string'
  const list = choices(type === 'array' ? prop.items : prop)
  const selected = (v: string): boolean => Array.isArray(value) ? value.map(String).includes(v) : String(value) === v
  return {
    name,
    label: prop.title ?? humanize(name),
    description: prop.description ?? null,
    type,
    format: prop.format ?? null,
    required,
    secret,
    saved: secret && form.secretsSaved[name] === true,
    value,
    checked: value === true,
    options: list?.map(o => ({ ...o, selected: selected(o.value) })) ?? null,
    error: form.errors?.[name] ?? null
  }
}

export function cardContext (manifest: PluginManifest, schema: SettingsSchema | null, form: CardForm): CardContext {
  const required = new Set(schema?.required ?? [])
  const fieldList = Object.entries((schema?.properties ?? {}) as Record<string, Prop>)
    .map(([name, prop]) => field(name, prop, required.has(name), form))
  const { id, name, description, docsUrl, status, vendorScopes } = manifest
  return {
    plugin: { id, name, description, docsUrl, status, vendorScopes },
    enabled: form.enabled,
    fields: Object.fromEntries(fieldList.map(f => [f.name, f])),
    fieldList
  }
}

const cards = Handlebars.create()
const compiled = new Map<string, HandlebarsTemplateDelegate<CardContext>>()

/** Renders a card body; the environment has no helpers or partials, and every value is escaped. */
export function renderCard (template: string, context: CardContext): string {
  let render = compiled.get(template)
  if (render === undefined) {
    render = cards.compile<CardContext>(template, { strict: false, knownHelpersOnly: true })
    compiled.set(template, render)
  }
  return render(context)
}
