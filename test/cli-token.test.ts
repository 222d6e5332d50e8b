import t from 'tap'
import { cliWithDataDir } from './helpers/process.ts'
import { loadConfig } from '../core/config.ts'
import { startRuntime } from '../core/runtime.ts'

t.test('create-token mints a working token and prints its secret last; usage errors name the flag and rule', async t => {
  const { cli, env } = await cliWithDataDir(t, 'stocktake-cli-token-')
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'admin@acme.test'])).code, 0)

  const ok = await cli(['create-token', '--workspace', 'acme', '--name', 'CI', '--abilities', 'hardware:read,users:read', '--expires-in-days', '30'])
  t.equal(ok.code, 0, ok.output)
  const secret = ok.output.trim().split('\n').at(-1)!
  t.match(secret, /^stk_[0-9A-Za-z]{43}$/, 'the last line is the secret')
  t.match(ok.output, /hardware:read, users:read, expiring/)

  const tooLong = await cli(['create-token', '--workspace', 'acme', '--name', 'CI', '--expires-in-days', '400'])
  t.equal(tooLong.code, 2)
  t.match(tooLong.output, '--expires-in-days: must be at most 365 (maximum)')
  const badAbility = await cli(['create-token', '--workspace', 'acme', '--name', 'CI', '--abilities', 'root'])
  t.equal(badAbility.code, 2)
  t.match(badAbility.output, /--abilities: must be one of hardware:read, .* \(enum\)/)
  const noName = await cli(['create-token', '--workspace', 'acme'])
  t.equal(noName.code, 2)
  t.match(noName.output, '--name is required')
  const noWorkspace = await cli(['create-token', '--workspace', 'nowhere', '--name', 'CI'])
  t.equal(noWorkspace.code, 2)
  t.match(noWorkspace.output, '--workspace: no workspace "nowhere"')

  const runtime = await startRuntime({ ...loadConfig({ ...env, LOG_LEVEL: 'silent' }), runWorker: false }, { logger: false })
  t.teardown(() => runtime.close())
  const call = (url: string) => runtime.app.inject({ url, headers: { authorization: `Bearer ${secret}` } })
  t.equal((await call('/api/hardware')).statusCode, 200, 'the printed token works')
  t.equal((await call('/api/software')).statusCode, 403, 'with only its abilities')
  t.equal(await runtime.db('api_tokens').count({ n: '*' }).then(r => Number(r[0].n)), 1, 'refused commands created nothing')
})
