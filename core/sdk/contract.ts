// The connector contract: what a plugin's default export is, and what the core hands it (ctx).
// Re-exported to plugin authors by core/sdk.ts; see docs/writing-a-plugin.md.
import type { FastifyPluginAsync } from 'fastify'
import type { ErrorShape } from '../boundary/error-shapes.ts'
import type { EventType } from '../events/types.ts'
import type { HttpClient } from '../integrations/http-types.ts'
import type { Knex } from 'knex'
import type { Directory, DirectoryTransaction, InboundAuthentication, PersonRole } from './directory.ts'
import type { Checkpoint, DeviceRecord, SyncMessage } from './records.ts'
import type { SignInCapability, SignInUrls } from './sign-in.ts'

/** The contract version this core implements; a manifest's `contract` must equal it. */
export const CONTRACT_VERSION = 1

export const CAPABILITIES = ['test', 'sync', 'lookup', 'notify', 'tickets', 'routes', 'page', 'disconnect', 'signIn', 'email'] as const
export type Capability = typeof CAPABILITIES[number]

/** Why a connection or a call failed: what the admin must fix. */
export type FailureReason = 'auth' | 'permission' | 'network' | 'config'
export const FAILURE_REASONS: readonly FailureReason[] = ['auth', 'permission', 'network', 'config']

export type TestResult = { ok: true, message?: string } | { ok: false, reason: FailureReason, message: string }

const CONNECTOR_ERROR = Symbol.for('stocktake.ConnectorError')

/** A failure a connector reports on purpose; `auth` marks the integration "needs attention". */
export class ConnectorError extends Error {
  readonly [CONNECTOR_ERROR] = true

  constructor (readonly reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConnectorError'
  }

  /** Branded, so an error from a plugin's own copy of the SDK (outside this repo) is recognised too. */
  static [Symbol.hasInstance] (value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONNECTOR_ERROR] === true
  }
}

/** A pino-compatible logger; the core's redacts the plugin's secret settings. */
export interface ConnectorLogger {
  debug (obj: unknown, msg?: string): void
  info (obj: unknown, msg?: string): void
  warn (obj: unknown, msg?: string): void
  error (obj: unknown, msg?: string): void
}

/** A per-workspace, per-plugin TTL cache (values are JSON). */
export interface ConnectorCache {
  get <T = unknown>(key: string): Promise<T | undefined>
  set (key: string, value: unknown, ttlSeconds: number): Promise<void>
  delete (key: string): Promise<void>
}

export interface ConnectorContext<S = Record<string, unknown>> {
  workspace: { id: string, slug: string, name: string }
  /** Validated against settings.schema.json (defaults applied), secrets decrypted. */
  settings: S
  /** The only way to reach the vendor: enforces allowedHosts and rateLimit, retries, audits. */
  http: HttpClient
  cache: ConnectorCache
  /** The count on the plugin's card ("3 mappings"), for plugins whose manifest declares `countBadge`; null hides it. */
  badge: { setCount: (count: number | null) => Promise<void> }
  log: ConnectorLogger
  /** Aborts when the run is cancelled or the process shuts down. */
  signal: AbortSignal
  /**
   * Egress that is not HTTP (SMTP): the one address to open a socket to for `host`, under ctx.http's
   * rules — the host must be in the manifest's allowedHosts, and a private or other special-purpose
   * address is refused (AddressNotAllowedError) unless the operator allowed that host for the
   * workspace. Connect to the address it returns (not the name again) and verify TLS against `host`.
   */
  net: { address: (host: string) => Promise<string> }
}

/** An event delivered to a notify connector. */
export interface Notification {
  event: EventType
  /** One line, e.g. "Laptop ASSET-000042 assigned to Pat Doe". */
  title: string
  /** A sentence or two of plain text. */
  text: string
  /** The record's page in Stocktake. */
  url?: string
  /** The event payload: the record (and `changes` for updates). */
  record: Record<string, unknown>
}

/** An asset request as a ticketing connector mirrors it. */
export interface TicketRequest {
  id: string
  requesterEmail: string
  requesterName?: string
  category: string
  description?: string | null
  status: 'created' | 'approved' | 'rejected' | 'fulfilled'
  url?: string
}
export interface TicketRef { id: string, url?: string }
export interface TicketChange { status: TicketRequest['status'], note?: string }

/**
 * Options the core passes to a connector's routes plugin, mounted at the manifest's `routesPrefix`
 * (else /integrations/<id>) in a context of its own: its error handler and parsers are its own.
 */
export interface ConnectorRoutesOptions {
  /** The context of a workspace (resolved by the route from its token or host). */
  contextFor: (workspaceId: string) => Promise<ConnectorContext>
  /** The workspace a bearer token of the manifest's `auth` kind (`scim-token`) opens, or why not. */
  authenticate: (authorization: string | undefined) => Promise<InboundAuthentication>
  /** The plugin's own tables outside a transaction (reads, and writes of one statement); always by workspace. */
  db: Knex
  /** The register's people and the plugin's tables in one transaction. */
  directory: Directory
  /**
   * How requests under the prefix are answered when they fail before reaching the plugin's routes
   * (header fields too large: 431; a malformed request line or URL: 400): the plugin's error format.
   */
  setErrorShape: (shape: ErrorShape) => void
}

/**
 * Encryption with the workspace's data key, for what a plugin keeps in its own tables (a SAML
 * service provider's private key): seal before storing, open when needed. Not inside a transaction.
 */
export interface SealedSecrets {
  seal: (plaintext: string) => Promise<string>
  open: (sealed: string) => Promise<string>
}

/** What a settings page's load and actions use beside ctx. */
export interface PageTools {
  /** The signed-in admin who opened the page or posted the form. */
  user: { id: string, role: PersonRole }
  /** Reads of the plugin's own tables; always by workspace. */
  db: Knex
  /** The register's people and the plugin's tables in one transaction, audited as the signed-in admin. */
  transaction: <T>(work: (tx: DirectoryTransaction) => Promise<T>) => Promise<T>
  secrets: SealedSecrets
  /** A sign-in method's addresses on this workspace (for a page showing what to register at the identity provider). */
  signInUrls: (method: string) => SignInUrls
}

/** A posted form: the first value of each field, as typed. */
export type PageForm = Record<string, string>

/**
 * The plugin's part of its own page (manifest `configure: page`: /settings/integrations/<id>),
 * rendered from the manifest's `page` template below what the core shows there.
 */
export interface ConnectorPage<S = any> {
  /** The data the template is rendered with (beside `csrfToken`, `actionsUrl`, `errors` and `form`). */
  load: (ctx: ConnectorContext<S>, tools: PageTools) => Promise<Record<string, unknown>>
  /**
   * What the template's forms post to `{{actionsUrl}}/<name>` (admins only, CSRF-checked). Returns
   * the message shown after the redirect back; a ValidationError re-renders the page (422) with
   * `errors` (field → message) and the posted `form`.
   */
  actions?: Record<string, (ctx: ConnectorContext<S>, form: PageForm, tools: PageTools) => Promise<string>>
}

/** A file attached to an email: content as bytes, or as base64 text. */
export interface EmailAttachment {
  filename: string
  contentType: string
  content: Buffer | string
  /** Only when content is a string: 'base64' (the default) or 'utf8'. */
  encoding?: 'base64' | 'utf8'
}

/** One email as the core hands it to an email connector; the sender is the connector's own setting. */
export interface EmailMessage {
  to: string[]
  cc?: string[]
  replyTo?: string
  subject: string
  text: string
  html?: string
  attachments?: EmailAttachment[]
}

/** A connector that sends email: throws a ConnectorError with a reason when the relay refuses. */
export interface EmailCapability<C> {
  /** Resolves once the relay accepted the message for every recipient; the relay's Message-ID. */
  send: (ctx: C, message: EmailMessage) => Promise<{ messageId: string }>
}

export interface SyncOptions { syncId: string, checkpoint: Checkpoint | null }
export interface LookupQuery { by: 'serial', value: string }

export interface Connector<S = any> {
  test?: (ctx: ConnectorContext<S>) => Promise<TestResult>
  sync?: (ctx: ConnectorContext<S>, options: SyncOptions) => AsyncIterable<SyncMessage>
  lookup?: (ctx: ConnectorContext<S>, query: LookupQuery) => Promise<DeviceRecord | null>
  notify?: (ctx: ConnectorContext<S>, notification: Notification) => Promise<void>
  tickets?: {
    create: (ctx: ConnectorContext<S>, request: TicketRequest) => Promise<TicketRef>
    update: (ctx: ConnectorContext<S>, ref: TicketRef, change: TicketChange) => Promise<void>
  }
  routes?: FastifyPluginAsync<ConnectorRoutesOptions>
  page?: ConnectorPage<S>
  disconnect?: (ctx: ConnectorContext<S>) => Promise<void>
  /** Single sign-on: see core/sdk/sign-in.ts. */
  signIn?: SignInCapability<ConnectorContext<S>>
  /** Sending email for the core's mail service (app.mail.send): see docs/writing-a-plugin.md. */
  email?: EmailCapability<ConnectorContext<S>>
}

/** The default export of a plugin's entry: typed identity, so the object is checked against the contract. */
export function defineConnector<S = Record<string, unknown>> (connector: Connector<S>): Connector<S> {
  return connector
}

/** The capabilities a connector implements (the keys of the contract it defines). */
export function implementedCapabilities (connector: Connector): Capability[] {
  return CAPABILITIES.filter(name => connector[name] !== undefined)
}
