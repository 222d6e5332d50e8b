// manifest.json: its type, its validation against core/plugin-manifest.schema.json (data only, no
// plugin code runs), and the allowedHosts and oauth2 credentials it resolves to for a workspace's
// settings.
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import type { EventType } from '../events/types.ts'
import { trackDeletesProblems } from './sync-deletes-manifest.ts'
import semver from 'semver'
import { CONTRACT_VERSION, ConnectorError, type Capability } from '../sdk/contract.ts'
import type { Model } from '../sdk/records.ts'
import type { OAuth2ClientCredentials } from './http-types.ts'
import type { HeaderAuthBlock } from './http/header-auth.ts'
import type { OAuth2Consent } from './http/oauth2-consent.ts'
import type { SettingsSchema } from './settings-validation.ts'

/**
 * The manifest's oauth2 block: how ctx.http signs in, each string but clientAuth and grant possibly
 * holding {{setting}} placeholders that a workspace's settings fill in (resolveOAuth2). With
 * `grant: 'authorization_code'` an admin consents at authorizeUrl ("Connect with <Vendor>") and
 * the core keeps and refreshes the tokens (core/integrations/http/oauth2-consent.ts).
 */
export interface OAuth2Block extends OAuth2ClientCredentials {
  /** 'client_credentials' (default) or 'authorization_code' (consent with PKCE S256). */
  grant?: 'client_credentials' | 'authorization_code'
  /** The vendor's consent page (authorization code only). */
  authorizeUrl?: string
  /** RFC 7009 revocation endpoint, called on Disconnect (authorization code only). */
  revocationUrl?: string
  /** Extra authorize parameters (prompt, access_type…); values may hold {{setting}}s. */
  authorizeParams?: Record<string, string>
}
/** The block as an imported manifest.json types it: clientAuth and grant are any string until resolveOAuth2 checks them. */
export type OAuth2BlockJson = Omit<OAuth2Block, 'clientAuth' | 'grant'> & { clientAuth?: string, grant?: string }

export type Category = 'authentication' | 'communication' | 'saas-utilization' | 'ticketing' | 'device-management' | 'hris'

export interface PluginManifest {
  id: string
  name: string
  version: string
  contract: number
  compatibility?: { core: string }
  categories: Category[]
  status: 'stable' | 'preview' | 'coming-soon'
  configure?: 'modal' | 'page'
  description: string
  icon?: string
  docsUrl?: string
  entry?: string
  settings?: string
  card?: string
  /** The template of the plugin's part of its settings page (the page capability). */
  page?: string
  auth?: 'none' | 'api-key' | 'basic' | 'bearer' | 'oauth2-client-credentials' | 'oauth2-authorization-code' | 'webhook-url' | 'scim-token'
  allowedHosts?: string[]
  oauth2?: OAuth2Block
  /** API-key, bearer or basic auth ctx.http puts on every request (core/integrations/http/header-auth.ts). */
  headerAuth?: HeaderAuthBlock
  /** Where the routes capability is mounted; /integrations/<id> when absent. */
  routesPrefix?: string
  capabilities?: Capability[]
  /** The noun of the count badge ("3 IdPs"), when the plugin reports a count. */
  countBadge?: { one: string, other: string }
  syncs?: Array<{ id: string, model: Model, mode: 'full' | 'incremental', schedule?: 'off' | 'hourly' | 'daily', minimumIntervalMinutes?: number, trackDeletes?: boolean }>
  permissions?: Array<`${Model}:write`>
  vendorScopes?: string[]
  rateLimit?: { requestsPerMinute?: number, concurrency?: number }
  notifies?: EventType[]
}

/** One thing wrong with a plugin file: `field` is a JSON pointer into it ("/capabilities/2"). */
export interface Problem { field: string, message: string }

export const MANIFEST_SCHEMA_URL = new URL('../plugin-manifest.schema.json', import.meta.url)
export const MANIFEST_SCHEMA = JSON.parse(readFileSync(MANIFEST_SCHEMA_URL, 'utf8')) as Record<string, unknown>

/** Shared by manifest and settings-schema checks: allErrors, formats, strict schemas. */
export function createSchemaAjv (): Ajv {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true })
  addFormats.default(ajv)
  return ajv
}

const validate = createSchemaAjv().compile(MANIFEST_SCHEMA)

/** Plain-words versions of the manifest's patterns, by field ('*' = any index). */
const PATTERN_HINTS: Record<string, string> = {
  '/id': 'must be 2-41 lowercase letters, digits or dashes, starting with a letter',
  '/version': 'must be a semantic version like 1.0.0',
  '/allowedHosts/*': 'must be a host (api.example.com, api.example.com:8443, *.example.com) or {{setting}}',
  '/syncs/*/id': 'must be lowercase letters, digits or dashes, starting with a letter',
  '/icon': 'must be a ./path to an .svg inside the plugin folder',
  '/entry': 'must be a ./path to a .ts or .js module inside the plugin folder',
  '/settings': 'must be a ./path to a .json file inside the plugin folder',
  '/card': 'must be a ./path to a .hbs template inside the plugin folder',
  '/headerAuth/header': 'must be an HTTP header name: letters, digits and - (e.g. X-Api-Key)',
  '/headerAuth/value': 'must be one line of text whose braces are only {{setting}} placeholders',
  '/headerAuth/token': 'must be text without spaces whose braces are only {{setting}} placeholders',
  '/headerAuth/username': 'must be one line of text without a colon whose braces are only {{setting}} placeholders',
  '/headerAuth/password': 'must be one line of text whose braces are only {{setting}} placeholders',
  '/routesPrefix': 'must be a path like /scim/v2 of lowercase letters, digits and dashes, outside the core\'s own prefixes (/api, /settings, /integrations…)',
  '/oauth2/tokenUrl': 'must be an https:// URL or start with a {{setting}}; braces only in {{setting}} placeholders',
  '/oauth2/clientId': 'must be text whose braces are only {{setting}} placeholders',
  '/oauth2/clientSecret': 'must be exactly one {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest',
  '/oauth2/scope': 'must be text whose braces are only {{setting}} placeholders',
  '/oauth2/authorizeUrl': 'must be an https:// URL or start with a {{setting}}; braces only in {{setting}} placeholders',
  '/oauth2/revocationUrl': 'must be an https:// URL or start with a {{setting}}; braces only in {{setting}} placeholders'
}

/** Ajv errors as problems an author can act on ("/capabilities/2 must be one of test, sync, …"). */
export function describeAjvErrors (errors: ErrorObject[] | null | undefined): Problem[] {
  const all = errors ?? []
  // A failed `contains` also reports each item that is not the wanted value; only the wanted value is news.
  const insideContains = (e: ErrorObject) => e.schemaPath.includes('/contains/')
  return all.filter(e => e.keyword !== 'if' && !insideContains(e)).map(e => {
    const params = e.params as Record<string, unknown>
    switch (e.keyword) {
      case 'const':
        return { field: e.instancePath || '/', message: `must be ${JSON.stringify(params.allowedValue)}` }
      case 'contains': {
        const wanted = all.find(item => insideContains(item) && item.instancePath.startsWith(`${e.instancePath}/`) && item.keyword === 'const')
        return { field: e.instancePath, message: wanted ? `must contain ${JSON.stringify((wanted.params as { allowedValue: unknown }).allowedValue)}` : e.message ?? 'is invalid' }
      }
      case 'required':
        return { field: `${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' }
      case 'additionalProperties':
        return { field: `${e.instancePath}/${String(params.additionalProperty)}`, message: 'is not an allowed field' }
      case 'pattern':
        return { field: e.instancePath, message: PATTERN_HINTS[e.instancePath.replace(/\/\d+/g, '/*')] ?? e.message ?? 'is invalid' }
      case 'enum':
        return { field: e.instancePath || '/', message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` }
      default:
        return { field: e.instancePath || '/', message: e.message ?? 'is invalid' }
    }
  })
}

/** The core's own version, which a manifest's compatibility.core range must include. */
export const CORE_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version

/** Problems of a manifest on its own (schema and contract version); [] when valid. */
export function manifestProblems (value: unknown): Problem[] {
  if (!validate(value)) return describeAjvErrors(validate.errors)
  const manifest = value as PluginManifest
  const problems: Problem[] = []
  if (manifest.contract !== CONTRACT_VERSION) {
    problems.push({ field: '/contract', message: `is ${manifest.contract}, but this core implements contract ${CONTRACT_VERSION}` })
  }
  const range = manifest.compatibility?.core
  if (range !== undefined) {
    if (semver.validRange(range) === null) {
      problems.push({ field: '/compatibility/core', message: `"${range}" is not a semver range` })
    } else if (!semver.satisfies(CORE_VERSION, range, { includePrerelease: true })) {
      problems.push({ field: '/compatibility/core', message: `"${range}" does not include this core's version ${CORE_VERSION}` })
    }
  }
  if (manifest.oauth2 !== undefined) {
    const consent = manifest.oauth2.grant === 'authorization_code'
    const auth = consent ? 'oauth2-authorization-code' : 'oauth2-client-credentials'
    if (manifest.auth !== auth) {
      problems.push({ field: '/auth', message: consent ? `must be "${auth}" when the oauth2 block's grant is authorization_code` : `must be "${auth}" when the manifest has an oauth2 block` })
    }
    problems.push(...consentBlockProblems(manifest.oauth2))
  }
  for (const [i, sync] of (manifest.syncs ?? []).entries()) {
    if (!(manifest.permissions ?? []).includes(`${sync.model}:write`)) {
      problems.push({ field: `/syncs/${i}/model`, message: `needs "${sync.model}:write" in permissions` })
    }
  }
  problems.push(...trackDeletesProblems(manifest.syncs ?? []))
  return problems
}

const TEMPLATE = /^\{\{([A-Za-z][A-Za-z0-9_]*)\}\}$/

/** The setting names allowedHosts templates refer to ("{{tenantUrl}}" -> tenantUrl). */
export function hostTemplateSettings (manifest: Pick<PluginManifest, 'allowedHosts'>): string[] {
  return (manifest.allowedHosts ?? []).flatMap(pattern => TEMPLATE.exec(pattern)?.[1] ?? [])
}

/**
 * allowedHosts for one workspace: a "{{setting}}" pattern becomes the host (and non-default port)
 * of that setting's URL, or the setting itself when it is a bare host; unset settings drop out.
 */
export function resolveAllowedHosts (patterns: string[], settings: Record<string, unknown>): string[] {
  return patterns.flatMap(pattern => {
    const name = TEMPLATE.exec(pattern)?.[1]
    if (name === undefined) return [pattern]
    const value = settings[name]
    if (typeof value !== 'string' || value.trim() === '') return []
    try {
      return [new URL(value.trim()).host]
    } catch {
      return [value.trim().toLowerCase()]
    }
  })
}

/** A {{setting}} placeholder anywhere in an oauth2 string. */
const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g
const OAUTH2_TEMPLATED = ['tokenUrl', 'clientId', 'clientSecret', 'scope', 'authorizeUrl', 'revocationUrl'] as const
type OAuth2Templated = typeof OAUTH2_TEMPLATED[number]
/** A field of the oauth2 block that may hold placeholders; `authorizeParams/<name>` for an extra authorize parameter. */
type OAuth2Field = OAuth2Templated | `authorizeParams/${string}`

/** Authorize parameters the core sets itself: a manifest may not declare them. */
const RESERVED_AUTHORIZE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope']

/** Every {{setting}} of an oauth2 block, with the field it is in, in field order. */
export function oauth2Placeholders (oauth2: { [K in OAuth2Templated]?: string } & { authorizeParams?: Record<string, string> } | undefined): Array<{ field: OAuth2Field, setting: string }> {
  if (oauth2 === undefined) return []
  const fields: Array<[OAuth2Field, string | undefined]> = [
    ...OAUTH2_TEMPLATED.map((field): [OAuth2Field, string | undefined] => [field, oauth2[field]]),
    ...Object.entries(oauth2.authorizeParams ?? {}).map(([name, value]): [OAuth2Field, string] => [`authorizeParams/${name}`, value])
  ]
  return fields.flatMap(([field, template]) => [...(template ?? '').matchAll(PLACEHOLDER)].map(match => ({ field, setting: match[1] })))
}

/** The consent fields belong to grant authorization_code, which needs an authorizeUrl; the core's own authorize parameters are not the manifest's. */
function consentBlockProblems (block: OAuth2Block): Problem[] {
  const problems: Problem[] = []
  if (block.grant === 'authorization_code') {
    if (block.authorizeUrl === undefined) problems.push({ field: '/oauth2/authorizeUrl', message: 'is required when grant is authorization_code' })
  } else {
    for (const field of ['authorizeUrl', 'revocationUrl', 'authorizeParams'] as const) {
      if (block[field] !== undefined) problems.push({ field: `/oauth2/${field}`, message: 'is allowed only when grant is authorization_code' })
    }
  }
  for (const name of Object.keys(block.authorizeParams ?? {})) {
    if (RESERVED_AUTHORIZE_PARAMS.includes(name)) problems.push({ field: `/oauth2/authorizeParams/${name}`, message: 'is set by the core (PKCE, state, redirect and scope): leave it out' })
  }
  return problems
}

/**
 * Problems of the oauth2 block against the settings schema, reported on the manifest: every
 * placeholder names a string setting; clientSecret's names a writeOnly one, and no other field
 * names a secret (URLs, ids and scopes appear in audit entries and error messages).
 */
export function oauth2SettingsProblems (manifest: Pick<PluginManifest, 'oauth2'>, settingsSchema: SettingsSchema | null): Problem[] {
  const properties = settingsSchema?.properties ?? {}
  return oauth2Placeholders(manifest.oauth2).flatMap(({ field, setting }): Problem[] => {
    const at = `/oauth2/${field}`
    const property = properties[setting]
    if (settingsSchema === null) return [{ field: at, message: `uses {{${setting}}}, but the plugin has no settings` }]
    if (property === undefined) return [{ field: at, message: `uses {{${setting}}}, which is not a property of the settings schema` }]
    if (property.type !== 'string') return [{ field: at, message: `uses {{${setting}}}, which must be a string setting` }]
    const secret = property.writeOnly === true
    if (field === 'clientSecret' && !secret) return [{ field: at, message: `uses {{${setting}}}, which must be writeOnly: it holds the client secret` }]
    if (field !== 'clientSecret' && secret) return [{ field: at, message: `uses {{${setting}}}, a secret: only clientSecret may use a writeOnly setting` }]
    return []
  })
}

/**
 * The settings that decide where the integration's credentials go: every {{setting}} of
 * allowedHosts (the hosts ctx.http may call), of the oauth2 token URL (where the client secret is
 * posted; Intune's names the tenant in its path) and of its scope (the resource the token is for).
 * Changing one means the secrets must be entered again (IntegrationSettings.save), so a stored
 * secret never follows a destination the admin did not confirm with it.
 */
export function destinationSettings (manifest: Pick<PluginManifest, 'allowedHosts' | 'oauth2'>): string[] {
  const where = new Set<string>(['tokenUrl', 'scope', 'authorizeUrl', 'revocationUrl'])
  const inOAuth2 = oauth2Placeholders(manifest.oauth2).filter(p => where.has(p.field)).map(p => p.setting)
  return [...new Set([...hostTemplateSettings(manifest), ...inOAuth2])]
}

/** A setting as a placeholder's value: trimmed, or null when unset or blank. */
function settingText (settings: Record<string, unknown>, name: string): string | null {
  const value = settings[name]
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

/** What ctx.http signs in with for one workspace; `notConfigured` instead when it cannot. */
export interface OAuth2Resolution {
  credentials?: OAuth2ClientCredentials
  /** Grant authorization_code: where the admin consents and the tokens are fetched, refreshed and revoked. */
  consent?: OAuth2Consent
  /** The error every request that needs the bearer fails with (reason config, in plain words). */
  notConfigured?: ConnectorError
}

/** "a", "a and b", "a, b and c". */
export const listed = (names: string[]): string =>
  names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`

/**
 * The manifest's oauth2 block for one workspace: each {{setting}} replaced by that setting,
 * trimmed (and without trailing slashes when the template goes on with a "/"). A setting that is
 * not set, or a token URL that is not https, leaves the client without credentials and explains
 * why in `notConfigured`, naming the settings by their titles.
 */
export function resolveOAuth2 (
  manifest: { name?: string, oauth2?: OAuth2BlockJson },
  settings: Record<string, unknown>,
  settingsSchema?: SettingsSchema | null
): OAuth2Resolution {
  const block = manifest.oauth2
  if (block === undefined) return {}
  if (block.clientAuth !== undefined && block.clientAuth !== 'body' && block.clientAuth !== 'basic') {
    throw new TypeError(`oauth2.clientAuth must be "body" or "basic", not "${block.clientAuth}"`)
  }
  if (block.grant !== undefined && block.grant !== 'client_credentials' && block.grant !== 'authorization_code') {
    throw new TypeError(`oauth2.grant must be "client_credentials" or "authorization_code", not "${block.grant}"`)
  }
  const plugin = manifest.name ?? 'The integration'
  const card = manifest.name === undefined ? 'Settings → Integrations' : `Settings → Integrations → ${manifest.name}`
  const title = (name: string): string => {
    const label = settingsSchema?.properties?.[name]?.title
    return typeof label === 'string' && label !== '' ? label : name
  }
  const missing = [...new Set(oauth2Placeholders(block).map(p => p.setting))].filter(name => settingText(settings, name) === null)
  if (missing.length > 0) {
    const one = missing.length === 1
    return {
      notConfigured: new ConnectorError('config', `${plugin} cannot sign in: ${listed(missing.map(title))} ${one ? 'is' : 'are'} not set. ` +
        `Fill ${one ? 'it' : 'them'} in under ${card} and save.`)
    }
  }
  const fill = (template: string): string => template.replace(PLACEHOLDER, (match: string, name: string, offset: number) => {
    const value = settingText(settings, name) as string
    return template[offset + match.length] === '/' ? value.replace(/\/+$/, '') : value
  })
  const urls: Array<['tokenUrl' | 'authorizeUrl' | 'revocationUrl', string]> = [['tokenUrl', 'token URL'], ['authorizeUrl', 'authorize URL'], ['revocationUrl', 'revocation URL']]
  for (const [field, words] of urls) {
    const template = block[field]
    if (template === undefined) continue
    const url = fill(template)
    if (!URL.canParse(url) || new URL(url).protocol !== 'https:') {
      const from = [...new Set([...template.matchAll(PLACEHOLDER)].map(match => title(match[1])))]
      const built = from.length === 0 ? `its ${words}` : `the ${words} built from ${listed(from)}`
      return { notConfigured: new ConnectorError('config', `${plugin} cannot sign in: ${built} must be an https:// address.`) }
    }
  }
  const credentials: OAuth2ClientCredentials = {
    tokenUrl: fill(block.tokenUrl),
    clientId: fill(block.clientId),
    clientSecret: fill(block.clientSecret),
    ...(block.scope === undefined ? {} : { scope: fill(block.scope) }),
    ...(block.clientAuth === undefined ? {} : { clientAuth: block.clientAuth })
  }
  if (block.grant !== 'authorization_code' || block.authorizeUrl === undefined) return { credentials }
  return {
    consent: {
      ...credentials,
      authorizeUrl: fill(block.authorizeUrl),
      ...(block.revocationUrl === undefined ? {} : { revocationUrl: fill(block.revocationUrl) }),
      authorizeParams: Object.fromEntries(Object.entries(block.authorizeParams ?? {}).map(([name, value]) => [name, fill(value)]))
    }
  }
}
