// `npx stocktake sync`: the example plugin (loaded from outside plugins/) against its fake, through
// the real CLI on an embedded database on disk. Each CLI start takes seconds, hence the timeout.
import t from 'tap'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runToEnd } from './helpers/process.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'

t.setTimeout(600_000)
const cli = (args: string[], env: Record<string, string>) => runToEnd('node', ['scripts/stocktake.js', ...args], env)

t.test('stocktake sync runs a sync to the end and prints its counts as JSON', async t => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-cli-sync-'))
  const fake = await startFake()
  t.teardown(async () => { await fake.close(); await fs.rm(dataDir, { recursive: true, force: true }) })
  fake.devices.push(
    { id: 'd1', serial: 'SN-1', model: 'MacBook Air', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
    { id: 'd2', serial: null, model: 'Virtual', owner: null, updatedAt: '2026-01-01T00:00:00Z' }
  )
  const plugin = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
  const env = { DATABASE_URL: '', STOCKTAKE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', STOCKTAKE_PLUGIN_PATHS: plugin }
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'admin@acme.test'], env)).code, 0)
  // The fake listens on 127.0.0.1: the operator allows it, as for an on-premises server.
  t.equal((await cli(['allow-private-host', '--workspace', 'acme', new URL(fake.url).hostname], env)).code, 0)
  const notEnabled = await cli(['sync', 'acme-inventory', '--workspace', 'acme'], env)
  t.equal(notEnabled.code, 2)
  t.match(notEnabled.output, /not enabled in "acme"/)
  t.equal((await cli(['integration', 'set', 'acme-inventory', '--workspace', 'acme', `baseUrl=${fake.url}`, `apiKey=${fake.settings.apiKey}`], env)).code, 0)
  t.equal((await cli(['integration', 'enable', 'acme-inventory', '--workspace', 'acme'], env)).code, 0)

  const lastLine = (output: string) => JSON.parse(output.trim().split('\n').pop()!)
  const preview = await cli(['sync', 'acme-inventory', '--workspace', 'acme', '--dry-run'], env)
  t.equal(preview.code, 0, preview.output)
  t.match(lastLine(preview.output), { status: 'succeeded', dryRun: true, created: 1, skipped: 1, errors: 0 })
  const run = await cli(['sync', 'acme-inventory', '--workspace', 'acme'], env)
  t.equal(run.code, 0, run.output)
  t.match(lastLine(run.output), { plugin: 'acme-inventory', status: 'succeeded', dryRun: false, read: 2, created: 1, updated: 0, unchanged: 0, skipped: 1, errors: 0 })

  t.equal((await cli(['integration', 'set', 'acme-inventory', '--workspace', 'acme', `baseUrl=${fake.url}`, 'apiKey=revoked-key'], env)).code, 0)
  const failed = await cli(['sync', 'acme-inventory', '--workspace', 'acme'], env)
  t.equal(failed.code, 1, 'a run that did not complete exits 1')
  t.match(failed.output, /HTTP 401/)
  t.match(lastLine(failed.output), { status: 'failed', created: 0 })
})
