// Test helpers for plugin authors: a ConnectorContext like the core's (its http client refuses
// hosts the manifest does not declare and signs in with the manifest's oauth2 block), an in-memory
// TTL cache, and routing to a local fake.
import { connect } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
import { createHttpClient } from '../integrations/http.ts'
import type { HttpClientOptions } from '../integrations/http-types.ts'
import { resolveHeaderAuth, type HeaderAuthBlock } from '../integrations/http/header-auth.ts'
import { requireSignIn } from '../integrations/http/oauth2.ts'
import { refuseEveryRequest, settingsRefusal } from '../integrations/settings-refusal.ts'
import { noConsentTokens } from '../integrations/http/oauth2-consent.ts'
import { resolveAllowedHosts, resolveOAuth2, type OAuth2BlockJson, type PluginManifest } from '../integrations/manifest.ts'
import { secretFields, validateSettings, type SettingsSchema } from '../integrations/settings-validation.ts'
import { netEgress } from '../integrations/net-egress.ts'
import { redactingLogger } from '../integrations/redacting-log.ts'
import type { ConnectorCache, ConnectorContext, ConnectorLogger } from './contract.ts'

/** A TTL cache in memory, with the semantics of the core's (JSON values, expiry in seconds). */
export function createMemoryCache (now: () => number = Date.now): ConnectorCache {
  const entries = new Map<string, { json: string, expiresAt: number }>()
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const entry = entries.get(key)
      if (entry === undefined || entry.expiresAt <= now()) {
        entries.delete(key)
        return undefined
      }
      return JSON.parse(entry.json) as T
    },
    async set (key, value, ttlSeconds) {
      entries.set(key, { json: JSON.stringify(value), expiresAt: now() + ttlSeconds * 1000 })
    },
    async delete (key) {
      entries.delete(key)
    }
  }
}

export const silentLogger: ConnectorLogger = { debug () {}, info () {}, warn () {}, error () {} }

/**
 * An undici dispatcher that connects every request, whatever its host, to a fake on loopback over
 * plain HTTP: the connector keeps calling https://its-vendor.example/… (so allowedHosts is
 * exercised as in production) while the fake answers. Close it after the test.
 */
export function routeToFake (fakeUrl: string): Agent {
  const { hostname, port } = new URL(fakeUrl)
  const host = hostname.replace(/^\[|\]$/g, '')
  return new Agent({
    connect: (_options, callback) => {
      const socket = connect(Number(port), host)
      socket.once('connect', () => callback(null, socket))
      socket.once('error', err => callback(err, null))
    }
  })
}

export interface TestContextOptions<S> {
  /** The plugin's manifest.json (its name, allowedHosts, oauth2 and rateLimit are used). */
  manifest: Pick<PluginManifest, 'allowedHosts' | 'rateLimit'> & {
    name?: string
    oauth2?: OAuth2BlockJson
    headerAuth?: HeaderAuthBlock
  }
  settings: S
  /** The plugin's settings.schema.json: settings are then validated (defaults applied) as the core does; invalid -> throws. */
  settingsSchema?: object
  /**
   * false: the settings are taken as they are, as the platform takes stored ones (no defaults
   * filled in); when the schema refuses them, ctx.http refuses every request with the schema's
   * words, as the platform does.
   */
  validate?: boolean
  workspace?: { id: string, slug: string, name: string }
  /** e.g. routeToFake(fake.url) */
  dispatcher?: Dispatcher
  /** Overrides of the http client's options (maxRetries, maxWaitMs, onCall, …). */
  http?: Partial<HttpClientOptions>
  signal?: AbortSignal
  log?: ConnectorLogger
  /** Receives what the connector reports through ctx.badge.setCount. */
  onBadgeCount?: (count: number | null) => void
}

export function createTestContext<S extends Record<string, unknown>> (options: TestContextOptions<S>): ConnectorContext<S> {
  const settings = structuredClone(options.settings)
  if (options.settingsSchema !== undefined && options.validate !== false) {
    const errors = validateSettings(options.settingsSchema as SettingsSchema, settings)
    if (errors.length > 0) throw new TypeError(`invalid settings: ${errors.map(e => `${e.field} ${e.message}`).join('; ')}`)
  }
  const signal = options.signal ?? new AbortController().signal
  const oauth2 = resolveOAuth2(options.manifest, settings, options.settingsSchema as SettingsSchema | undefined)
  const headerAuth = resolveHeaderAuth(options.manifest, settings, options.settingsSchema as SettingsSchema | undefined)
  const workspace = options.workspace ?? { id: '00000000-0000-4000-8000-000000000001', slug: 'acme', name: 'Acme' }
  return {
    workspace,
    settings,
    http: refuseEveryRequest(requireSignIn(createHttpClient({
      allowedHosts: resolveAllowedHosts(options.manifest.allowedHosts ?? [], settings),
      oauth2: oauth2.credentials,
      headerAuth: headerAuth.header,
      rateLimit: options.manifest.rateLimit,
      signal,
      dispatcher: options.dispatcher,
      ...options.http
    }), oauth2.notConfigured ?? headerAuth.notConfigured ?? (oauth2.consent === undefined ? undefined : noConsentTokens(options.manifest.name))), settingsRefusal(options.manifest.name ?? 'The connector', options.settingsSchema as SettingsSchema | undefined, settings)),
    cache: createMemoryCache(),
    badge: { setCount: async count => { options.onBadgeCount?.(count) } },
    // Redacted as the platform redacts a connector's log: a test sees what production would print.
    log: redactingLogger(options.log ?? silentLogger, [...secretFields((options.settingsSchema ?? { type: 'object' }) as SettingsSchema).map(name => settings[name]), ...headerAuth.secrets]),
    signal,
    // Loopback peers (a real SMTP server in a test) are reached as an operator would allow them: http.allowPrivateHosts.
    net: netEgress({ allowedHosts: resolveAllowedHosts(options.manifest.allowedHosts ?? [], settings), allowPrivateHosts: options.http?.allowPrivateHosts, workspace: workspace.slug })
  }
}
