// A real local HTTP server playing a vendor, and small helpers for the ctx.http suites.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { Agent } from 'undici'
import { createHttpClient } from '../../core/integrations/http.ts'
import type { HttpClientOptions, OutboundCall } from '../../core/integrations/http-types.ts'

export interface Hit { method: string, url: string, path: string, query: URLSearchParams, headers: IncomingMessage['headers'], body: string }
export type Handler = (hit: Hit, res: ServerResponse) => unknown

export interface Vendor {
  base: string
  port: number
  hits: Hit[]
  /** The most requests the server had in progress at once. */
  maxInFlight: () => number
}

export async function vendor (t: Test, handler: Handler): Promise<Vendor> {
  const hits: Hit[] = []
  let inFlight = 0
  let maxInFlight = 0
  const server = createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on('close', () => { inFlight-- })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://vendor')
      const hit = { method: req.method ?? '', url: req.url ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString() }
      hits.push(hit)
      Promise.resolve(handler(hit, res)).catch((err: unknown) => { res.statusCode = 599; res.end(String(err)) })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  const port = (server.address() as AddressInfo).port
  return { base: `http://127.0.0.1:${port}`, port, hits, maxInFlight: () => maxInFlight }
}

export function json (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

export type ErrorClass = abstract new (...args: any[]) => Error
export const RESOLVED = Symbol('resolved')

/** Awaits a rejection and returns the error; `wanted` is an error class (instanceof) or a t.match pattern. */
export async function rejectsWith (t: Test, promise: Promise<unknown>, wanted: ErrorClass | object, message?: string): Promise<unknown> {
  const err = await promise.then(() => RESOLVED, (e: unknown) => e)
  if (err === RESOLVED) {
    t.fail(message ?? 'expected a rejection')
  } else if (typeof wanted === 'function') {
    t.ok(err instanceof wanted, message ?? `rejects with ${wanted.name}`, { found: err })
  } else {
    t.match(err, wanted, message ?? 'rejects as expected')
  }
  return err
}

/** Reads every page into `pages` (filled as they arrive, so a later failure leaves what came before). */
export async function collect<T> (pages: AsyncIterable<T[]>, into: T[][] = []): Promise<T[][]> {
  for await (const page of pages) into.push(page)
  return into
}

export const delay = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A dispatcher that resolves every host name to 127.0.0.1, so vendor-like names reach the fake. */
export function loopback (t: Test): Agent {
  const agent = new Agent({
    connect: {
      lookup: (_host, opts, cb) => {
        if ((opts as { all?: boolean }).all === true) (cb as (e: null, a: Array<{ address: string, family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }])
        else cb(null, '127.0.0.1', 4)
      }
    }
  })
  t.teardown(async () => { await agent.close() })
  return agent
}

/** ctx.http to the vendor on loopback, which the operator's allowlist lets it reach (as for an on-premises server). */
export function client (v: Vendor, options: Partial<HttpClientOptions> = {}, calls?: OutboundCall[]): ReturnType<typeof createHttpClient> {
  return createHttpClient({
    allowedHosts: ['127.0.0.1'],
    allowPrivateHosts: ['127.0.0.1'],
    onCall: calls === undefined ? undefined : (call) => { calls.push(call) },
    ...options
  })
}

export async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  return port
}
