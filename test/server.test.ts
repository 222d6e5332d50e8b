import t from 'tap'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { request } from 'undici'
import { launch, runToEnd } from './helpers/process.ts'

const cli = ['scripts/stocktake.js']

async function freePort (): Promise<number> {
  const net = await import('node:net')
  return await new Promise(resolve => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Follows a one-time sign-in URL against 127.0.0.1 with the workspace's Host header. */
async function openLink (url: string, port: number) {
  const link = new URL(url)
  return await request(`http://127.0.0.1:${port}${link.pathname}`, { headers: { host: link.host } })
}

t.test('the server on a fresh data folder: first-start link, CLI beside the server, clean SIGTERM', async t => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-start-'))
  t.teardown(() => fs.rm(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  // DATABASE_URL empty: the embedded database even when the suite runs against PostgreSQL, since that is what this tests.
  const env = { DATABASE_URL: '', STOCKTAKE_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', STOCKTAKE_WORKSPACE: 'acme' }
  // What `npm start` runs, started directly so that SIGTERM reaches the server and not npm.
  const packageJson = JSON.parse(await fs.readFile(new URL('../package.json', import.meta.url), 'utf8'))
  t.equal(packageJson.scripts.start, 'node --import=tsx core/server.ts')
  const server = launch('node', ['--import=tsx', 'core/server.ts'], env)
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })

  const [, firstLink] = await server.waitFor(/(http:\/\/acme\.localhost:\d+\/sign-in\/link\/\S+)/, 90_000)
  t.match(server.output(), /Created workspace "acme" and super-admin admin@example\.com/)
  const stat = await fs.stat(path.join(dataDir, 'session.key'))
  t.equal(stat.mode & 0o777, 0o600, 'the generated session key is readable by its owner only')

  const first = await openLink(firstLink, port)
  t.equal(first.statusCode, 303, 'the first-start link signs in')
  t.match(String(first.headers['set-cookie']), /stocktake_session=/)
  const reused = await openLink(firstLink, port)
  t.equal(reused.statusCode, 410, 'a sign-in link works once')

  // The CLI reaches the embedded database through the running server's socket.
  const created = await runToEnd('node', [...cli, 'create-admin', '--workspace', 'beta', '--email', 'it@beta.test', '--role', 'admin'], env)
  t.equal(created.code, 0, created.output)
  const lastLine = created.output.trim().split('\n').pop()!
  t.match(lastLine, /^http:\/\/beta\.localhost:\d+\/sign-in\/link\/[\w-]+$/, 'the last line is the sign-in URL')
  const betaSignIn = await openLink(lastLine, port)
  t.equal(betaSignIn.statusCode, 303, 'the CLI-made link signs in to the new workspace on the running server')

  // A worker-only process beside the server (scale-out) starts, and stops cleanly on SIGTERM.
  const worker = launch('node', [...cli, 'worker'], env)
  t.teardown(() => { if (worker.child.exitCode === null) worker.child.kill('SIGKILL') })
  await worker.waitFor(/Stocktake worker running/)
  worker.child.kill('SIGTERM')
  t.equal(await worker.exited, 0, 'the worker exits cleanly')

  const health = await request(`http://127.0.0.1:${port}/readyz`)
  t.equal(health.statusCode, 200)
  await health.body.dump()

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'SIGTERM drains and exits cleanly')
  await t.rejects(fs.access(path.join(dataDir, 'embedded.json')), 'the socket record is removed on exit')

  // With no server running, the CLI opens the data folder itself.
  const again = await runToEnd('node', [...cli, 'create-admin', '--workspace', 'acme', '--email', 'admin@example.com'], env)
  t.equal(again.code, 0, again.output)
  t.match(again.output, /already exists; role unchanged/)
})

t.test('a bad environment variable stops start-up naming it', async t => {
  const result = await runToEnd('node', [...cli, 'start'], { PORT: 'eighty', STOCKTAKE_DATA_DIR: os.tmpdir() })
  t.equal(result.code, 1)
  t.match(result.output, /PORT must be integer \(got "eighty"\)/)
})

t.test('the CLI explains its usage', async t => {
  const missing = await runToEnd('node', [...cli, 'create-admin', '--workspace', 'acme'], { STOCKTAKE_DATA_DIR: os.tmpdir() })
  t.equal(missing.code, 2)
  t.match(missing.output, /--email is required/)
  const unknown = await runToEnd('node', [...cli, 'frobnicate'], {})
  t.equal(unknown.code, 2)
  t.match(unknown.output, /Unknown command "frobnicate"/)
})
