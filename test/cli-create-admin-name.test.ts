import t from 'tap'
import { cliWithDataDir } from './helpers/process.ts'
import { loadConfig } from '../core/config.ts'
import { startRuntime } from '../core/runtime.ts'

t.test('create-admin names the person from --first-name and --last-name; a bad name is a usage error naming the flag', async t => {
  const { cli, env } = await cliWithDataDir(t, 'stocktake-cli-admin-name-')
  const created = await cli(['create-admin', '--workspace', 'acme', '--email', 'ada@acme.test', '--first-name', ' Ada ', '--last-name', 'Lovelace'])
  t.equal(created.code, 0, 'created')
  t.match(created.output, 'Created super-admin ada@acme.test.')
  // An existing person without a name gets the one given.
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'bob@acme.test', '--role', 'admin'])).code, 0)
  const named = await cli(['create-admin', '--workspace', 'acme', '--email', 'bob@acme.test', '--first-name', 'Bob'])
  t.match(named.output, 'bob@acme.test already exists; role unchanged, name set.')

  const tab = await cli(['create-admin', '--workspace', 'acme', '--email', 'eve@acme.test', '--first-name', 'Eve\tX'])
  t.equal(tab.code, 2)
  t.match(tab.output, '--first-name: First name must not contain control characters such as tabs or line breaks.')
  const lastOnly = await cli(['create-admin', '--workspace', 'acme', '--email', 'eve@acme.test', '--last-name', 'Ng'])
  t.equal(lastOnly.code, 2)
  t.match(lastOnly.output, '--first-name: Enter your first name.')

  const runtime = await startRuntime({ ...loadConfig({ ...env, LOG_LEVEL: 'silent' }), runWorker: false }, { logger: false })
  t.teardown(() => runtime.close())
  const people = await runtime.db('users').orderBy('email').select('email', 'first_name', 'last_name', 'role')
  t.same(people, [
    { email: 'ada@acme.test', first_name: 'Ada', last_name: 'Lovelace', role: 'super-admin' },
    { email: 'bob@acme.test', first_name: 'Bob', last_name: null, role: 'admin' }
  ], 'named, trimmed; refused commands created no one')
  const minted = await runtime.db('audit_log').where({ action: 'auth.sign_in_link_created' }).orderBy('id').select('actor_label', 'target_label')
  t.same(minted.map(e => e.target_label), ['Ada Lovelace', 'bob@acme.test', 'Bob'], 'every link the command made is audited, for whom')
})
