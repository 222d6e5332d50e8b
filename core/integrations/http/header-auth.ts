// API-key, bearer-token and basic auth declared in a manifest's headerAuth block: its problems
// against the settings schema, the header it resolves to for one workspace, and ctx.http putting
// that header on every request but `auth: 'none'` ones (never on a token request, never to a host
// outside allowedHosts: the client refuses those before anything is sent).
import { ConnectorError } from '../../sdk/contract.ts'
import type { HttpRequest } from '../http-types.ts'
import type { SettingsSchema } from '../settings-validation.ts'

/** The manifest's block: every string but `type` and `header` may hold {{setting}} placeholders. */
export type HeaderAuthBlock =
  /** `header: value`, e.g. X-Api-Key: {{apiKey}} or Authorization: Token token={{apiKey}}. */
  | { type: 'api-key', header: string, value: string }
  /** Authorization: Bearer <token>. */
  | { type: 'bearer', token: string }
  /** Authorization: Basic base64(username:password) (RFC 7617). */
  | { type: 'basic', username: string, password: string }

/** What ctx.http sends for one workspace. */
export interface HeaderAuth { header: string, value: string }

/** A problem with a field of a plugin file (the manifest's). */
interface Problem { field: string, message: string }

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g

/** The fields of each type, and the one that carries the secret. */
const FIELDS = { 'api-key': ['header', 'value'], bearer: ['token'], basic: ['username', 'password'] } as const
const SECRET_FIELD = { 'api-key': 'value', bearer: 'token', basic: 'password' } as const
const TEMPLATED = ['value', 'token', 'username', 'password'] as const

function placeholders (block: HeaderAuthBlock): Array<{ field: string, setting: string }> {
  const fields = block as Partial<Record<typeof TEMPLATED[number], string>>
  return TEMPLATED.flatMap(field => [...(fields[field] ?? '').matchAll(PLACEHOLDER)].map(match => ({ field, setting: match[1] })))
}

/**
 * Problems of the block on its own and against the settings schema: the fields of its type and no
 * other's; `auth` naming the same kind; no oauth2 block beside it; every placeholder a string
 * setting; the secret's field (value, token, password) built from a writeOnly setting.
 */
export function headerAuthProblems (manifest: { auth?: string, oauth2?: unknown, headerAuth?: HeaderAuthBlock }, settingsSchema: SettingsSchema | null): Problem[] {
  const block = manifest.headerAuth
  if (block === undefined) return []
  const problems: Problem[] = []
  const own: readonly string[] = FIELDS[block.type]
  for (const field of Object.keys(block)) {
    if (field !== 'type' && !own.includes(field)) problems.push({ field: `/headerAuth/${field}`, message: `is not a field of ${block.type} header auth (it has ${own.join(' and ')})` })
  }
  for (const field of own) {
    if (typeof (block as unknown as Record<string, unknown>)[field] !== 'string') problems.push({ field: `/headerAuth/${field}`, message: `is required for ${block.type} header auth` })
  }
  if (manifest.auth !== block.type) problems.push({ field: '/auth', message: `must be "${block.type}" when the manifest has a ${block.type} headerAuth block` })
  if (manifest.oauth2 !== undefined) problems.push({ field: '/headerAuth', message: 'cannot stand beside an oauth2 block: a plugin signs in one way' })
  const properties = settingsSchema?.properties ?? {}
  const secretField = SECRET_FIELD[block.type]
  for (const { field, setting } of placeholders(block)) {
    const at = `/headerAuth/${field}`
    if (settingsSchema === null) problems.push({ field: at, message: `uses {{${setting}}}, but the plugin has no settings` })
    else if (properties[setting] === undefined) problems.push({ field: at, message: `uses {{${setting}}}, which is not a property of the settings schema` })
    else if (properties[setting].type !== 'string') problems.push({ field: at, message: `uses {{${setting}}}, which must be a string setting` })
  }
  const secretSettings = placeholders(block).filter(p => p.field === secretField).map(p => properties[p.setting])
  if (!secretSettings.some(property => property?.writeOnly === true)) {
    problems.push({ field: `/headerAuth/${secretField}`, message: 'must hold a {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest' })
  }
  return problems
}

/** What ctx.http signs in with for one workspace, or why it cannot; `secrets` are for the log's redaction. */
export interface HeaderAuthResolution {
  header?: HeaderAuth
  /** The error every request that needs the header fails with (reason config, in plain words). */
  notConfigured?: ConnectorError
  /** The header's value and its secret parts as sent (basic's base64), redacted from the plugin's log. */
  secrets: string[]
}

/**
 * The manifest's headerAuth for one workspace: each {{setting}} replaced by that setting, trimmed.
 * A setting that is not set leaves the client without the header and explains why, naming the
 * settings by their titles.
 */
export function resolveHeaderAuth (
  manifest: { name?: string, headerAuth?: HeaderAuthBlock },
  settings: Record<string, unknown>,
  settingsSchema?: SettingsSchema | null
): HeaderAuthResolution {
  const block = manifest.headerAuth
  if (block === undefined) return { secrets: [] }
  const text = (name: string): string | null => {
    const value = settings[name]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
  }
  const missing = [...new Set(placeholders(block).map(p => p.setting))].filter(name => text(name) === null)
  // The words of resolveOAuth2's refusal, written out here: importing manifest.ts would load its
  // schema compiler into every http client.
  if (missing.length > 0) {
    const titles = missing.map(name => {
      const title = settingsSchema?.properties?.[name]?.title
      return typeof title === 'string' && title !== '' ? title : name
    })
    const names = titles.length === 1 ? titles[0] : `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}`
    const one = missing.length === 1
    const plugin = manifest.name ?? 'The integration'
    const card = manifest.name === undefined ? 'Settings → Integrations' : `Settings → Integrations → ${manifest.name}`
    return {
      secrets: [],
      notConfigured: new ConnectorError('config', `${plugin} cannot sign in: ${names} ${one ? 'is' : 'are'} not set. Fill ${one ? 'it' : 'them'} in under ${card} and save.`)
    }
  }
  const fill = (template: string): string => template.replace(PLACEHOLDER, (_match: string, name: string) => text(name) as string)
  switch (block.type) {
    case 'api-key': {
      const value = fill(block.value)
      return { header: { header: block.header, value }, secrets: [value] }
    }
    case 'bearer': {
      const token = fill(block.token)
      return { header: { header: 'authorization', value: `Bearer ${token}` }, secrets: [`Bearer ${token}`] }
    }
    case 'basic': {
      const encoded = Buffer.from(`${fill(block.username)}:${fill(block.password)}`).toString('base64')
      return { header: { header: 'authorization', value: `Basic ${encoded}` }, secrets: [encoded] }
    }
  }
}

/** The request's headers with the configured header set (replacing one of the same name), unless `auth: 'none'`. */
export function withHeaderAuth (headers: Record<string, string>, auth: HeaderAuth | undefined, req: Pick<HttpRequest, 'auth'>): Record<string, string> {
  if (auth === undefined || req.auth === 'none') return headers
  const name = auth.header.toLowerCase()
  const kept = Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name))
  return { ...kept, [name]: auth.value }
}
