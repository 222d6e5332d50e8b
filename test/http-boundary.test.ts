import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem } from './helpers/api.ts'

// What is answered before a request reaches a context — Node's HTTP parser refusing it (431, 400),
// Fastify's router refusing its URL — in the shape of the part of the site it was for, over a
// real socket.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as AddressInfo

interface RawAnswer { status: number, headers: Record<string, string>, body: string }

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function send (request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => { socket.write(request) })
    socket.on('data', chunk => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head, ...rest] = text.split('\r\n\r\n')
      const [statusLine, ...fields] = head.split('\r\n')
      const headers = Object.fromEntries(fields.map(f => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]))
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
  })
}

const bigHeader = `X-Padding: ${'a'.repeat(20 * 1024)}\r\n`
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: acme.localhost\r\nConnection: close\r\n${extra}\r\n`

t.test('431 for header fields over the limit: problem+json for /api, a SCIM error for /scim/v2, a small page elsewhere', async t => {
  const api = await send(get('/api/hardware', bigHeader))
  t.equal(api.status, 431)
  t.match(api.headers['content-type'], /^application\/problem\+json/)
  t.match(JSON.parse(api.body), { type: 'urn:stocktake:problem:headers-too-large', title: 'Request Header Fields Too Large', status: 431, detail: /header fields are too large: at most 16 KB/, errors: [] })

  const scim = await send(get('/scim/v2/Users?count=1', bigHeader))
  t.equal(scim.status, 431)
  t.match(scim.headers['content-type'], /^application\/scim\+json/)
  t.same(Object.keys(JSON.parse(scim.body)).sort(), ['detail', 'schemas', 'status'])
  t.match(JSON.parse(scim.body), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '431', detail: /too large/ })

  const page = await send(get('/hardware', bigHeader))
  t.equal(page.status, 431)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<h1>431 Request Header Fields Too Large<\/h1>/)
  t.equal(page.headers.connection, 'close')
})

t.test('400 for a malformed header or request line, in the same shapes', async t => {
  const api = await send(get('/api/hardware', 'A header without a colon\r\n'))
  t.equal(api.status, 400)
  t.match(JSON.parse(api.body), { type: 'urn:stocktake:problem:malformed-request', status: 400, detail: /malformed/ })

  const scim = await send('GET /scim/v2/Users HTTP/1.1\r\nHost: acme.localhost\r\nContent-Length: twelve\r\n\r\n')
  t.equal(scim.status, 400)
  t.match(JSON.parse(scim.body), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidSyntax' })

  const version = await send('GET /api/hardware HTTP/9.9\r\nHost: acme.localhost\r\n\r\n')
  t.equal(version.status, 400)
  t.match(version.headers['content-type'], /^application\/problem\+json/, 'a bad HTTP version on an /api line')

  const garbage = await send('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n')
  t.equal(garbage.status, 400)
  t.match(garbage.headers['content-type'], /^text\/html/, 'no path to go by: the page shape')
})

t.test('a URL Fastify cannot decode is a 400 in the shape of its part of the site', async t => {
  const api = await apiClient(app, acme.id)
  isProblem(t, await api.call('GET', '/api/hardware/%E0%A4%A'), 400)
  const scim = await send(get('/scim/v2/Users/%zz'))
  t.equal(scim.status, 400)
  t.match(JSON.parse(scim.body), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidSyntax', detail: /percent-encoding/ })
  const page = await send(get('/hardware/%zz'))
  t.equal(page.status, 400)
  t.match(page.body, /<h1>400 Bad Request<\/h1>/)
})
