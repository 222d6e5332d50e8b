// `npx stocktake integration set` taking secret values from the environment or standard input, so
// that they are not among the process's arguments (visible to every user in the process list).
import t from 'tap'
import { cliWithDataDir } from './helpers/process.ts'
import { loadConfig } from '../core/config.ts'
import { startRuntime } from '../core/runtime.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'

t.test('secret values from the environment or standard input: stored, never in the arguments or the output', async t => {
  const { cli, env } = await cliWithDataDir(t, 'stocktake-cli-secret-')
  // A process holding the data folder, as a running server would: the CLI goes through it, and it reads back what was stored.
  const runtime = await startRuntime(loadConfig({ ...env, STOCKTAKE_WORKER: '0', LOG_LEVEL: 'silent' }), { logger: false })
  t.teardown(() => runtime.close())
  const { app } = runtime
  const { workspace: acme } = await ensureWorkspace(app.db, 'acme')
  const stored = async () => (await app.integrations.settings.resolve(acme.id, app.integrations.plugin('slack-alerts')!)).webhookUrl
  const set = ['integration', 'set', 'slack-alerts', '--workspace', 'acme', 'events=hardware.created']

  const fromStdin = 'https://hooks.slack.com/services/T0ACME/B0ACME/stdinSECRET111'
  const piped = await cli([...set, '--from-stdin', 'webhookUrl'], { input: `${fromStdin}\n` })
  t.equal(piped.code, 0, piped.output)
  t.notMatch(piped.output, /SECRET111/, 'not printed')
  t.equal(await stored(), fromStdin, 'stored as piped, without the final newline')

  const fromEnv = 'https://hooks.slack.com/services/T0ACME/B0ACME/envSECRET222'
  const args = [...set, '--from-env', 'webhookUrl=SLACK_HOOK']
  t.notMatch(args.join(' '), /SECRET222/, 'the arguments name the variable, not the secret')
  const envSet = await cli(args, { env: { SLACK_HOOK: fromEnv } })
  t.equal(envSet.code, 0, envSet.output)
  t.notMatch(envSet.output, /SECRET222/, 'not printed')
  t.equal(await stored(), fromEnv)

  const invalid = await cli([...set, '--from-stdin', 'webhookUrl'], { input: 'https://example.com/not-slack' })
  t.equal(invalid.code, 1, 'validated as on the page')
  t.match(invalid.output, /webhookUrl: .*\(pattern\)/)
  t.equal(await stored(), fromEnv, 'a refused value changes nothing')
})

t.test('a value that cannot be read is a clear error before anything opens', async t => {
  const { cli } = await cliWithDataDir(t, 'stocktake-cli-secret-')
  const set = ['integration', 'set', 'slack-alerts', '--workspace', 'acme']
  const unset = await cli([...set, '--from-env', 'webhookUrl=NO_SUCH_VARIABLE'])
  t.equal(unset.code, 2)
  t.match(unset.output, /--from-env webhookUrl=NO_SUCH_VARIABLE: the environment variable NO_SUCH_VARIABLE is not set/)
  const empty = await cli([...set, '--from-env', 'webhookUrl=SLACK_HOOK'], { env: { SLACK_HOOK: '' } })
  t.equal(empty.code, 2)
  t.match(empty.output, /the environment variable SLACK_HOOK is empty/)
  const nothing = await cli([...set, '--from-stdin', 'webhookUrl'], { input: '' })
  t.equal(nothing.code, 2)
  t.match(nothing.output, /--from-stdin webhookUrl: standard input is empty/)
  const two = await cli([...set, '--from-stdin', 'webhookUrl', '--from-stdin', 'channel'], { input: 'x' })
  t.equal(two.code, 2)
  t.match(two.output, /standard input holds one value/)
  const elsewhere = await cli(['create-admin', '--workspace', 'acme', '--email', 'a@acme.test', '--from-stdin', 'x'])
  t.equal(elsewhere.code, 2)
  t.match(elsewhere.output, /--from-env and --from-stdin are options of integration set/)
})
