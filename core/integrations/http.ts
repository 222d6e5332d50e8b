// ctx.http: the only way a connector reaches its vendor (contract: ./http-types.ts). Enforces
// allowedHosts, the private-address guard (core/net/address-guard.ts), rate limits and timeouts,
// caches OAuth2 client-credentials tokens, retries network errors, 5xx and 429, paginates, and
// reports every call once, with its attempts, to onCall (the audit log).
import type { Agent, Dispatcher } from 'undici'
import { bareHostname, guardedAgent, normalizeHost, privateAddressCause, refusedLiteral, type PrivateAddressError } from '../net/address-guard.ts'
import { AddressNotAllowedError, HttpStatusError } from './http-types.ts'
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse, OutboundCall } from './http-types.ts'
import { sleep, throwIfAborted } from './http/abort.ts'
import { RequestTimeoutError } from './http/errors.ts'
import { withHeaderAuth } from './http/header-auth.ts'
import { hostGuard } from './http/hosts.ts'
import { createTokenSource, type TokenSender, type TokenSource } from './http/oauth2.ts'
import { pages, paginate } from './http/paginate.ts'
import { setQuery } from './http/query.ts'
import { createGate } from './http/rate-limiter.ts'
import { isRetryableStatus, retryDelayMs } from './http/retry.ts'
import { sendOnce, type Attempt, type Prepared } from './http/transport.ts'

export { OAuth2TokenError, PaginationLoopError, RequestTimeoutError } from './http/errors.ts'
export { GraphQLError } from './http/paginate.ts'

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_RETRIES = 4
export const DEFAULT_MAX_WAIT_MS = 30_000

const DEFAULT_ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.8'

const is2xx = (status: number): boolean => status >= 200 && status < 300
/** Token endpoints: every 4xx is the vendor's answer (error_description), only 5xx and 429 are retried. */
const isTokenAnswer = (status: number): boolean => status < 500 && status !== 429

function hasHeader (headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some(key => key.toLowerCase() === name)
}

// One agent for every client without a test dispatcher: its lookup refuses special-purpose addresses.
let guarded: Agent | undefined

/** The refusal as a connector's admin and the operator read it: what, why and who can lift it. */
export function notAllowed (refused: PrivateAddressError, workspace: string | undefined): AddressNotAllowedError {
  const command = `npx stocktake allow-private-host --workspace ${workspace ?? '<slug>'} ${refused.host}`
  return new AddressNotAllowedError(refused.host, refused.address, refused.range,
    `Stocktake did not connect: ${refused.message}, and integrations reach only public addresses. ` +
    `If ${refused.host} is a server of yours on a private network (an on-premises server), the operator can allow it for this workspace with: ${command}`)
}

function describe (attempt: Attempt, timeoutMs: number): string | undefined {
  if (attempt.error === undefined) return undefined
  if (attempt.timedOut) return `timed out after ${timeoutMs} ms`
  return attempt.error instanceof Error ? attempt.error.message : String(attempt.error)
}

export interface CoreHttpClientOptions extends HttpClientOptions {
  /**
   * The bearer's source when it is not client credentials (the core's stored consent tokens), built
   * over this client's own token-request path (host check, retries, one audit entry per call).
   */
  tokenSource?: (send: TokenSender) => TokenSource
}

export function createHttpClient (options: CoreHttpClientOptions): HttpClient {
  const checkUrl = hostGuard(options.allowedHosts)
  const gate = createGate(options.rateLimit)
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS
  const signal = options.signal
  const allowPrivate = new Set((options.allowPrivateHosts ?? []).map(host => normalizeHost(host) ?? host))
  const mayBePrivate = (url: URL): boolean => allowPrivate.has(bareHostname(url))
  /** The test hook's dispatcher; else the guarded agent, or the plain global one for a host the operator allows. */
  const dispatcherFor = (url: URL): Dispatcher | undefined =>
    options.dispatcher as Dispatcher | undefined ?? (mayBePrivate(url) ? undefined : (guarded ??= guardedAgent()))
  const sendToken: TokenSender = async req => await execute(req, isTokenAnswer)
  const tokens: TokenSource | null = options.tokenSource !== undefined
    ? options.tokenSource(sendToken)
    : options.oauth2 === undefined ? null : createTokenSource(options.oauth2, sendToken)

  function prepare (req: HttpRequest): Prepared {
    const url = new URL(req.url)
    setQuery(url, req.query)
    checkUrl(url)
    const literal = mayBePrivate(url) ? null : refusedLiteral(url)
    if (literal !== null) throw notAllowed(literal, options.workspace)
    const headers = withHeaderAuth({ ...req.headers }, options.headerAuth, req)
    if (!hasHeader(headers, 'accept')) headers.accept = DEFAULT_ACCEPT
    let body: string | undefined
    if (req.json !== undefined) {
      body = JSON.stringify(req.json)
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json'
    } else if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString()
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded'
    }
    return { method: req.method ?? 'GET', url, headers, body, timeoutMs: req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS }
  }

  async function report (call: OutboundCall): Promise<void> {
    try {
      await options.onCall?.(call)
    } catch {
      // the audit hook must never break the request
    }
  }

  /** What each attempt of one call got, for its one audit entry. */
  interface Tries { statuses: Array<number | null>, error?: string }

  async function execute (req: HttpRequest, isAnswer: (status: number) => boolean): Promise<HttpResponse> {
    const p = prepare(req) // throws HostNotAllowedError or AddressNotAllowedError before anything is sent
    const tries: Tries = { statuses: [] }
    const started = performance.now()
    try {
      return await sendWithRetries(p, req.auth ?? (tokens === null ? 'none' : 'oauth2'), isAnswer, tries)
    } finally {
      // One entry per call, once it is over (answered, failed, or aborted between attempts).
      if (tries.statuses.length > 0) {
        await report({
          method: p.method,
          host: p.url.host,
          path: p.url.pathname,
          status: tries.statuses[tries.statuses.length - 1],
          attempts: tries.statuses.length,
          statuses: tries.statuses,
          durationMs: Math.round(performance.now() - started),
          ...(tries.error === undefined ? {} : { error: tries.error })
        })
      }
    }
  }

  async function sendWithRetries (p: Prepared, auth: 'none' | 'oauth2', isAnswer: (status: number) => boolean, tries: Tries): Promise<HttpResponse> {
    const dispatcher = dispatcherFor(p.url)
    if (auth === 'oauth2' && tokens === null) throw new Error('auth: oauth2 requested but the client has no oauth2 settings')
    let retries = 0
    let refreshed = false
    for (;;) {
      throwIfAborted(signal)
      // the token is fetched before taking a concurrency slot: its own request needs one
      const token = auth === 'oauth2' ? await (tokens as TokenSource).get() : undefined
      const headers = token === undefined ? p.headers : { ...p.headers, authorization: `Bearer ${token}` }
      const release = await gate.enter(signal)
      let outcome: Attempt
      try {
        outcome = await sendOnce(p, headers, signal, dispatcher)
      } finally {
        release()
      }
      const { response } = outcome
      tries.statuses.push(response?.status ?? null)
      tries.error = describe(outcome, p.timeoutMs)

      if (response !== undefined) {
        if (response.status === 401 && token !== undefined && !refreshed) {
          refreshed = true // the token went stale early (revoked, clock skew): one fresh token, one retry
          tokens?.invalidate(token)
          continue
        }
        if (isAnswer(response.status)) return response
        if (!isRetryableStatus(response.status) || retries >= maxRetries) {
          throw new HttpStatusError(response.status, response.url, response.body)
        }
        await sleep(retryDelayMs(retries++, response.headers['retry-after'], maxWaitMs), signal)
        continue
      }
      const refused = privateAddressCause(outcome.error)
      if (refused !== null) throw notAllowed(refused, options.workspace) // the address will not change on a retry
      throwIfAborted(signal) // an abort stops at once: no retry
      if (retries >= maxRetries) throw outcome.timedOut ? new RequestTimeoutError(p.url.href, p.timeoutMs) : outcome.error
      await sleep(retryDelayMs(retries++, undefined, maxWaitMs), signal)
    }
  }

  async function request<T = unknown> (req: HttpRequest): Promise<HttpResponse<T>> {
    const expected = req.expect
    const isAnswer = expected === undefined ? is2xx : (status: number) => expected.includes(status)
    return await execute(req, isAnswer) as HttpResponse<T>
  }

  return {
    request,
    paginate: (req, scheme, paging) => paginate(request, req, scheme, paging),
    pages: (req, scheme, paging) => pages(request, req, scheme, paging)
  }
}

/**
 * A token-endpoint sender of its own, outside any ctx.http (the consent callback's code exchange,
 * Disconnect's revocation): the same host check, private-address guard, retries and one audit
 * entry per call as a connector's token requests.
 */
export function createTokenSender (options: HttpClientOptions): TokenSender {
  let send: TokenSender | undefined
  createHttpClient({ ...options, oauth2: undefined, tokenSource: s => { send = s; return { get: async () => await Promise.reject(new Error('no bearer here')), invalidate: () => {} } } })
  return send as TokenSender
}
