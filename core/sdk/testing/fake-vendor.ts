// A vendor played by a local HTTP server, for a plugin's fake.ts: routes, a log of every request, a
// queue of injected failures (a status with Retry-After, a bad body, a dropped connection) and
// routes guarded by the bearer tokens of an OAuth token endpoint (oauth.ts). A fake states only
// what is particular to its vendor: its paths, its records, its error bodies.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the fake received it. A form's client_secret is never kept. */
export interface FakeRequest {
  method: string
  /** The host the connector called (e.g. graph.microsoft.com), not the fake's loopback address. */
  host: string
  path: string
  /** Each query parameter's last value, decoded; `searchParams` has repeated ones. */
  query: Record<string, string>
  searchParams: URLSearchParams
  headers: IncomingMessage['headers']
  /** The body as text (a form without its client_secret). */
  body: string
  /** An application/x-www-form-urlencoded body's fields, without client_secret. */
  form?: Record<string, string>
  /** What a route's path pattern captured (RegExp groups, in order). */
  captured: string[]
}

/** What a route answers: a body (an object is sent as JSON, a string as it is) with a status and headers. */
export interface FakeReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>

/** Checks a request's credentials before the route (and before any injected failure): a reply refuses it. */
export type FakeGuard = (req: FakeRequest) => FakeReply | null

export interface RouteOptions {
  /** Names the route for failures aimed at it (`failNext({ route })`). Default: its path. */
  name?: string
  guard?: FakeGuard
  /** false: failures without a `route` pass this route by (e.g. a token endpoint). Default true. */
  injectable?: boolean
}

export interface InjectedFailure {
  /** Default 503. */
  status?: number
  /** Default: the vendor's error body for the status (`errorBody`). A string is sent as it is: a bad body. */
  body?: unknown
  headers?: Record<string, string>
  /** Seconds (or an HTTP date) for the Retry-After header. */
  retryAfter?: number | string
  /** Close the connection without an answer. */
  drop?: boolean
  /** Only requests to the route of this name (or path); without it, any injectable route. */
  route?: string
  /** Only requests this accepts (e.g. one page). */
  when?: (req: FakeRequest) => boolean
  /** How many requests in a row. Default 1. */
  times?: number
}

export interface FakeVendorOptions {
  /** The vendor's error body for a status (injected failures, unknown routes). Default { error: '<status>' }. */
  errorBody?: (status: number, req?: FakeRequest) => unknown
  /** Headers on every answer (e.g. a content type with vendor parameters, a request id). */
  headers?: () => Record<string, string>
  /** The content type of a string body. Default text/plain; charset=utf-8. */
  textType?: string
}

export interface FakeVendor {
  /** http://127.0.0.1:<port>: give it to routeToFake(). */
  url: string
  requests: FakeRequest[]
  /** The requests a route (by name or path) received. */
  requestsTo: (route: string) => FakeRequest[]
  route: (method: string, path: string | RegExp, handler: FakeHandler, options?: RouteOptions) => void
  failNext: (failure?: InjectedFailure) => void
  /** Failures still queued. */
  pendingFailures: () => number
  /** The vendor's error reply for a status. */
  error: (status: number, headers?: Record<string, string>, req?: FakeRequest) => FakeReply
  close: () => Promise<void>
}

interface Route { method: string, path: string | RegExp, handler: FakeHandler, name: string, guard?: FakeGuard, injectable: boolean }
interface Queued extends InjectedFailure { remaining: number }

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function withoutSecret (form: URLSearchParams): URLSearchParams {
  return new URLSearchParams([...form].filter(([name]) => name !== 'client_secret'))
}

function matches (route: Route, method: string, path: string): string[] | null {
  if (typeof route.path === 'string') return route.path === path ? [] : null
  const found = route.path.exec(path)
  return found === null ? null : found.slice(1).map(s => decodeURIComponent(s ?? ''))
}

export async function startFakeVendor (options: FakeVendorOptions = {}): Promise<FakeVendor> {
  const routes: Route[] = []
  const requests: FakeRequest[] = []
  const queue: Queued[] = []
  const errorBody = options.errorBody ?? ((status: number) => ({ error: String(status) }))
  const error = (status: number, headers: Record<string, string> = {}, req?: FakeRequest): FakeReply => ({ status, body: errorBody(status, req), headers })

  function send (res: ServerResponse, reply: FakeReply): void {
    const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body)
    const type = typeof reply.body === 'string' ? options.textType ?? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
    res.writeHead(reply.status, { 'content-type': type, ...options.headers?.(), ...reply.headers }).end(text)
  }

  function takeFailure (route: Route, req: FakeRequest): Queued | undefined {
    const i = queue.findIndex(f => (f.route === undefined ? route.injectable : f.route === route.name) && (f.when?.(req) ?? true))
    if (i === -1) return undefined
    const failure = queue[i]
    if (--failure.remaining === 0) queue.splice(i, 1)
    return failure
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    const form = isForm ? withoutSecret(new URLSearchParams(raw)) : undefined
    const entry: FakeRequest = {
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      searchParams: url.searchParams,
      headers: req.headers,
      body: form?.toString() ?? raw,
      ...(form === undefined ? {} : { form: Object.fromEntries(form) }),
      captured: []
    }
    requests.push(entry)
    const onPath = routes.filter(r => matches(r, entry.method, entry.path) !== null)
    const route = onPath.find(r => r.method === entry.method)
    if (route === undefined) return send(res, error(onPath.length === 0 ? 404 : 405, {}, entry))
    entry.captured = matches(route, entry.method, entry.path) ?? []
    // The handler reads the real body (a token endpoint needs the secret); the log keeps it without.
    const handlerView: FakeRequest = isForm ? { ...entry, body: raw, form: Object.fromEntries(new URLSearchParams(raw)) } : entry
    const refused = route.guard?.(handlerView)
    if (refused !== null && refused !== undefined) return send(res, refused)
    const failure = takeFailure(route, handlerView)
    if (failure?.drop === true) {
      req.socket.destroy()
      return
    }
    if (failure !== undefined) {
      const status = failure.status ?? 503
      const retry: Record<string, string> = failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) }
      return send(res, { status, body: failure.body ?? errorBody(status, handlerView), headers: { ...retry, ...failure.headers } })
    }
    send(res, await route.handler(handlerView))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => { if (!res.headersSent) send(res, { status: 500, body: errorBody(500), headers: { 'x-fake-error': String((err as Error)?.message ?? err).slice(0, 200) } }) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: name => {
      const route = routes.find(r => r.name === name)
      return requests.filter(r => route === undefined ? r.path === name : matches(route, r.method, r.path) !== null)
    },
    route (method, path, handler, routeOptions = {}) {
      routes.push({ method: method.toUpperCase(), path, handler, name: routeOptions.name ?? String(path), guard: routeOptions.guard, injectable: routeOptions.injectable ?? true })
    },
    failNext (failure = {}) {
      queue.push({ ...failure, remaining: failure.times ?? 1 })
    },
    pendingFailures: () => queue.reduce((n, f) => n + f.remaining, 0),
    error,
    async close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
