// The contract of ctx.http, the only way a connector reaches its vendor. Implemented by
// core/integrations/http.ts; re-exported to plugin authors by core/sdk.ts.

import type { HeaderAuth } from './http/header-auth.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type QueryValue = string | number | boolean

export interface HttpRequest {
  method?: HttpMethod
  /** Absolute URL; its host must be one the manifest declares in allowedHosts. */
  url: string
  /** Query parameters; an array repeats the name (`section: ['A', 'B']` → `section=A&section=B`). */
  query?: Record<string, QueryValue | QueryValue[] | undefined>
  headers?: Record<string, string>
  /** JSON body (sets content-type). */
  json?: unknown
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>
  /**
   * Add the cached OAuth2 client-credentials bearer (default when the client has oauth2 set up).
   * 'none' also leaves out the manifest's header auth (headerAuth), which is otherwise on every request.
   */
  auth?: 'oauth2' | 'none'
  /** Statuses that are answers, not errors (default: 2xx). */
  expect?: number[]
  /** Per-request timeout in ms (default from the client). */
  timeoutMs?: number
}

export interface HttpResponse<T = unknown> {
  status: number
  headers: Record<string, string>
  /** Parsed JSON when the response is JSON, otherwise the text. */
  body: T
  url: string
}

/** Reads a page's items; `response` is there for a scheme that needs its status or headers. */
type ItemsOf<T> = (body: any, response: HttpResponse) => T[]

export type PaginationScheme<T> =
  /** The next page is the same request with `param` set to the cursor read from the body. */
  | { type: 'cursor', param: string, items: ItemsOf<T>, next: (body: any) => string | null | undefined }
  /** The next page is a URL: from the Link header (rel="next") or, when given, read from the body (e.g. @odata.nextLink). */
  | { type: 'link', items: ItemsOf<T>, next?: (body: any) => string | null | undefined }
  /**
   * Numbered pages or offsets: `param` advances by 1 (page) or by the page size (offset). Without
   * `total` it ends at a short page; with it, once the pages read cover the total (or at an empty
   * page). With `total`, a first page shorter than asked while more remain means the vendor caps the
   * page size: the pages after it are asked at that size.
   */
  | { type: 'offset', param: string, mode: 'page' | 'offset', pageSize: number, sizeParam?: string, start?: number, items: ItemsOf<T>, total?: (body: any) => number | null | undefined }
  /**
   * GraphQL connections: the request's JSON body is `{ query, variables }`; the next page sets
   * `variables[variable]` (default "after") to `pageInfo.endCursor` while `pageInfo.hasNextPage`.
   */
  | { type: 'graphql', items: ItemsOf<T>, variable?: string, pageInfo: (body: any) => GraphQLPageInfo | null | undefined }

export interface GraphQLPageInfo { hasNextPage?: boolean | null, endCursor?: string | null }

/**
 * Where the page after one starts: flat and JSON-able, so it is a sync's Checkpoint as it is (or a
 * part of one). cursor and graphql: the cursor; link: the next URL; offset: the parameter's next
 * value and the page size in use.
 */
export type ResumeToken = { cursor: string } | { link: string } | { at: number, size: number }

export interface Page<T> {
  items: T[]
  /** Where the next page starts; null on the last page. */
  resume: ResumeToken | null
}

export interface PageOptions {
  /**
   * A resume token (or a checkpoint holding its fields) from an earlier run: the walk starts at that
   * page. One that is not this scheme's, or a link to another host than the request's, starts at
   * the first page.
   */
  resumeFrom?: Readonly<Record<string, unknown>> | null
  /** Ask for the next page while the caller handles this one (at most one page ahead). */
  readAhead?: boolean
}

export interface HttpClient {
  request: <T = unknown>(req: HttpRequest) => Promise<HttpResponse<T>>
  /** Yields the items of each page in order; stops at the last page or when the signal aborts. */
  paginate: <T>(req: HttpRequest, scheme: PaginationScheme<T>, options?: PageOptions) => AsyncIterable<T[]>
  /** As paginate, each page with the token to resume after it (`{ items, resume }`). */
  pages: <T>(req: HttpRequest, scheme: PaginationScheme<T>, options?: PageOptions) => AsyncIterable<Page<T>>
}

/** OAuth2 client-credentials, cached until shortly before the token expires. */
export interface OAuth2ClientCredentials {
  tokenUrl: string
  clientId: string
  clientSecret: string
  scope?: string
  /** 'body' sends client_id/secret in the form (Microsoft, Jamf); 'basic' uses HTTP Basic. */
  clientAuth?: 'body' | 'basic'
}

/** One outbound call as the audit log records it: never headers, bodies or query values. */
/**
 * One outbound call as the audit log records it: once, when it is over, whatever its retries.
 * `status` and `error` are the final outcome; `statuses` what each attempt got (null: no answer).
 */
export interface OutboundCall {
  method: HttpMethod
  host: string
  path: string
  status: number | null
  /** How many times it was sent (retries and a token refresh included). */
  attempts: number
  statuses: Array<number | null>
  /** From the first attempt to the end of the last, waits between them included. */
  durationMs: number
  error?: string
}

export interface HttpClientOptions {
  /** Host patterns the plugin may call, exact hosts ('graph.microsoft.com') or '*.example.com'. */
  allowedHosts: string[]
  oauth2?: OAuth2ClientCredentials
  /** The manifest's headerAuth as resolved for the workspace: set on every request but `auth: 'none'` ones. */
  headerAuth?: HeaderAuth
  rateLimit?: { requestsPerMinute?: number, concurrency?: number }
  timeoutMs?: number
  /** Retries of network errors, 5xx and 429 (default 4). */
  maxRetries?: number
  /** The longest wait (Retry-After or backoff) a request may sit out; longer -> RetryLaterError. */
  maxWaitMs?: number
  signal?: AbortSignal
  /** Called once per request when it is over (not per retry): the audit log's entry. */
  onCall?: (call: OutboundCall) => void | Promise<void>
  /**
   * Hosts the operator allows to be, or resolve to, loopback, private, link-local or other
   * special-purpose addresses (names or IP addresses, no port); every other host is refused there
   * with an AddressNotAllowedError.
   */
  allowPrivateHosts?: string[]
  /** The workspace's slug, named in the command an AddressNotAllowedError suggests to the operator. */
  workspace?: string
  /**
   * Test hook: undici dispatcher (e.g. to reach a fake on loopback over plain HTTP). It replaces
   * the client's own agent, and with it the check of the address connected to; IP literals in
   * URLs are still checked.
   */
  dispatcher?: unknown
}

/** The vendor asked us to wait longer than a worker should block: the run is rescheduled for `retryAt`. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError'
  constructor (readonly retryAt: Date, message?: string) {
    super(message ?? `rate limited; retry at ${retryAt.toISOString()}`)
  }
}

/** A host the plugin did not declare in allowedHosts. */
export class HostNotAllowedError extends Error {
  override name = 'HostNotAllowedError'
  constructor (readonly host: string) {
    super(`host ${host} is not in the plugin's allowedHosts`)
  }
}

/**
 * A host that is (an IP literal), or resolves to, a loopback, private, link-local or other
 * special-purpose address the operator has not allowed for the workspace: nothing was sent.
 * `range` is ipaddr.js's name of the address's range ("loopback", "private", "rfc6052"…).
 */
export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError'
  constructor (readonly host: string, readonly address: string, readonly range: string, message: string) {
    super(message)
  }
}

/** A non-expected HTTP status after retries. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError'
  constructor (readonly status: number, readonly url: string, readonly body: unknown) {
    super(`HTTP ${status} from ${new URL(url).host}${new URL(url).pathname}`)
  }
}
