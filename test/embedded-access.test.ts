// Who can reach the embedded database: its owner only, whatever database the suite runs on.
import t from 'tap'
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { startEmbedded } from '../core/db/index.ts'

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-access-'))
let embedded = await startEmbedded(dataDir)
t.teardown(async () => {
  await embedded.stop()
  await fs.rm(dataDir, { recursive: true, force: true })
})

/** Where a client of this URL connects: a Unix-domain socket, or a host and port. */
function endpoint (url: string): { path: string } | { host: string, port: number } {
  const { hostname, port } = new URL(url)
  const host = decodeURIComponent(hostname)
  return host.startsWith('/') ? { path: path.join(host, '.s.PGSQL.5432') } : { host, port: Number(port) }
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777

t.test('the database files and the socket are closed to other users', async t => {
  t.equal(await mode(path.join(dataDir, 'pgdata')), 0o700, 'the database files')
  const target = endpoint(embedded.url)
  if (!('path' in target)) return t.fail(`served on ${target.host}:${target.port}, which anyone on the machine can connect to`)
  t.equal(path.dirname(target.path), path.join(dataDir, 'socket'))
  t.equal(await mode(path.dirname(target.path)), 0o700, 'the socket folder')
  t.equal(await mode(target.path), 0o600, 'the socket')
  const client = new pg.Client({ connectionString: embedded.url })
  await client.connect()
  t.teardown(() => client.end())
  t.same((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'its owner connects')
})

// A client that sends a StartupMessage and reports the first byte of the answer ('R' = authentication
// message, which the embedded database always answers with "ok"), or why it could not connect.
const PROBE = `
const socket = require('node:net').connect(JSON.parse(process.argv[1]))
const body = Buffer.from('user\\0postgres\\0database\\0postgres\\0\\0')
const head = Buffer.alloc(8); head.writeInt32BE(body.length + 8, 0); head.writeInt32BE(196608, 4)
socket.on('connect', () => socket.write(Buffer.concat([head, body])))
socket.on('data', data => { console.log('answered ' + String.fromCharCode(data[0])); socket.destroy() })
socket.on('error', err => console.log('refused ' + err.code))`

// Through `env -i`: tap adds NODE_OPTIONS to children, which would have nobody write where only root may.
const probe = ['-i', process.execPath, '-e', PROBE, JSON.stringify(endpoint(embedded.url))]

t.test('another user of the machine cannot connect', { skip: process.getuid?.() !== 0 && 'needs root to run a client as another user' }, async t => {
  const child = spawn('env', probe, { uid: 65534, gid: 65534, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', chunk => { output += chunk })
  child.stderr.on('data', chunk => { output += chunk })
  await new Promise(resolve => child.once('close', resolve))
  t.match(output.trim(), /^refused EACCES$/, 'user nobody is refused by the socket folder\'s permissions')
  // The check is a real one: the same client as root gets the database's answer.
  const asOwner = spawn('env', probe, { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] })
  let answer = ''
  asOwner.stdout.on('data', chunk => { answer += chunk })
  await new Promise(resolve => asOwner.once('close', resolve))
  t.match(answer.trim(), /^answered R$/)
})

t.test('a socket left by a killed process does not stop the next start', async t => {
  await embedded.stop()
  const target = endpoint(embedded.url) as { path: string }
  await fs.writeFile(target.path, '') // what kill -9 leaves: the socket's file, nobody listening
  embedded = await startEmbedded(dataDir)
  const client = new pg.Client({ connectionString: embedded.url })
  await client.connect()
  t.teardown(() => client.end())
  t.same((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  t.equal(await mode(target.path), 0o600)
})
