import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received { headers: http.IncomingHttpHeaders, body: string, status: number }

/** A local HTTP receiver: answers each POST with `respond(n)` (n counts from 1) and keeps every request. */
export async function webhookReceiver (teardown: (fn: () => unknown) => void, respond: (n: number) => number = () => 204) {
  const received: Received[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const status = respond(received.length + 1)
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status })
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'x'.repeat(3000))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }
}

/**
 * A receiver that answers every POST after `delayMs`, noting when each webhook-id first arrived and
 * when every POST arrived (a delivery sent but not recorded by a killed process comes again).
 */
export async function timedReceiver (delayMs: number) {
  const firstSeen = new Map<string, number>()
  const arrivals: number[] = []
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const id = String(req.headers['webhook-id'])
      arrivals.push(performance.now())
      if (!firstSeen.has(id)) firstSeen.set(id, performance.now())
      setTimeout(() => res.writeHead(204).end(), delayMs)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    firstSeen,
    arrivals,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}
