import t from 'tap'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { cliWithDataDir, runToEnd } from './helpers/process.ts'

t.test('integration settings from the command line: validated, saved, enabled, disconnected', async t => {
  const { cli } = await cliWithDataDir(t, 'stocktake-cli-')
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'admin@acme.test'])).code, 0)

  const bad = await cli(['integration', 'set', 'slack-alerts', '--workspace', 'acme', 'webhookUrl=https://example.com/hook', 'color=red'])
  t.equal(bad.code, 1)
  t.match(bad.output, /color: is not a setting of this integration \(unknown\)/)
  const invalid = await cli(['integration', 'set', 'slack-alerts', '--workspace', 'acme', 'webhookUrl=https://example.com/hook'])
  t.equal(invalid.code, 1)
  t.match(invalid.output, /webhookUrl: .*\(pattern\)/)

  const secret = 'https://hooks.slack.com/services/T0ACME/B0ACME/abcdefSECRET123'
  const ok = await cli(['integration', 'set', 'slack-alerts', '--workspace', 'acme', `webhookUrl=${secret}`, 'events=hardware.created', 'events=user.offboarded'])
  t.equal(ok.code, 0, ok.output)
  t.notMatch(ok.output, /SECRET123/, 'the secret is not echoed')
  t.equal((await cli(['integration', 'enable', 'slack-alerts', '--workspace', 'acme'])).code, 0)
  t.equal((await cli(['integration', 'disconnect', 'slack-alerts', '--workspace', 'acme'])).code, 0)

  const unknown = await cli(['integration', 'enable', 'nope', '--workspace', 'acme'])
  t.equal(unknown.code, 2)
  t.match(unknown.output, /no plugin "nope"; installed: .*slack-alerts/)
  const soon = await cli(['integration', 'enable', 'jira-service-management', '--workspace', 'acme'])
  t.equal(soon.code, 2)
  t.match(soon.output, /coming soon/)
})

t.test('an invalid plugin on STOCKTAKE_PLUGIN_PATHS stops start-up naming the file and field', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-bad-plugin-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ id: 'Bad Id', name: 'Bad', version: '1.0.0', contract: 1, categories: ['hris'], status: 'coming-soon', configure: 'modal', description: 'x' }))
  const result = await runToEnd('node', ['--import=tsx', 'core/server.ts'], { DATABASE_URL: '', STOCKTAKE_DATA_DIR: dir, STOCKTAKE_PLUGIN_PATHS: dir, PORT: '0' })
  t.equal(result.code, 1)
  t.match(result.output, /manifest\.json: \/id /)
})
