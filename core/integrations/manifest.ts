// manifest.json: its type, its validation against core/plugin-manifest.schema.json (data only, no
// plugin code runs), and the allowedHosts it resolves to for a workspace's settings.
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import type { EventType } from '../events/types.ts'
import semver from 'semver'
import { CONTRACT_VERSION, type Capability } from '../sdk/contract.ts'
import type { Model } from '../sdk/records.ts'

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
  auth?: 'none' | 'api-key' | 'basic' | 'oauth2-client-credentials' | 'oauth2-authorization-code' | 'webhook-url' | 'saml' | 'scim-token'
  allowedHosts?: string[]
  capabilities?: Capability[]
  /** The noun of the count badge ("3 IdPs"), when the plugin reports a count. */
  countBadge?: { one: string, other: string }
  syncs?: Array<{ id: string, model: Model, mode: 'full' | 'incremental', schedule?: 'off' | 'hourly' | 'daily', minimumIntervalMinutes?: number }>
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
  '/card': 'must be a ./path to a .hbs template inside the plugin folder'
}

/** Ajv errors as problems an author can act on ("/capabilities/2 must be one of test, sync, …"). */
export function describeAjvErrors (errors: ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).filter(e => e.keyword !== 'if').map(e => {
    const params = e.params as Record<string, unknown>
    switch (e.keyword) {
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
  for (const [i, sync] of (manifest.syncs ?? []).entries()) {
    if (!(manifest.permissions ?? []).includes(`${sync.model}:write`)) {
      problems.push({ field: `/syncs/${i}/model`, message: `needs "${sync.model}:write" in permissions` })
    }
  }
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
