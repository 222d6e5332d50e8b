// The signIn capability at discovery: the manifest declares it and the entry implements it as
// { methods, start, finish } functions, both ways, as every capability is held to its manifest.
import t from 'tap'
import { connectorProblems } from '../core/integrations/connector-loader.ts'
import type { PluginManifest } from '../core/integrations/manifest.ts'
import { manifestProblems } from '../core/integrations/manifest.ts'
import { runConformance } from '../core/sdk/testing.ts'
import { signInPlugins } from './helpers/sso.ts'

const manifest = (capabilities: string[]) => ({
  id: 'x-sso',
  name: 'X',
  version: '0.1.0',
  contract: 1,
  categories: ['authentication'],
  status: 'stable',
  description: 'x',
  entry: './index.ts',
  settings: './settings.schema.json',
  configure: 'modal',
  auth: 'none',
  allowedHosts: [],
  capabilities
}) as unknown as PluginManifest
const fn = async () => { throw new Error('not called') }
const problems = (capabilities: string[], signIn: unknown) =>
  connectorProblems({ default: { signIn } }, manifest(capabilities), '/p/manifest.json', '/p/index.ts').map(p => `${p.field} ${p.message}`)

t.test('a manifest may declare signIn', async t => {
  t.same(manifestProblems(manifest(['signIn'])), [])
})

t.test('the entry implements signIn as { methods, start, finish }, and only when declared', async t => {
  t.same(problems(['signIn'], { methods: fn, start: fn, finish: fn }), [])
  t.same(problems(['signIn'], { methods: fn, start: fn }), ['default.signIn must be { methods, start, finish } functions'])
  t.same(problems([], { methods: fn, start: fn, finish: fn }), ['/capabilities does not declare signIn, but /p/index.ts implements it'])
})

t.test('the fixture sign-in plugin is discovered with its capability', async t => {
  const [plugin] = await signInPlugins()
  t.equal(plugin.id, 'fixture-sso')
  t.equal(typeof plugin.connector?.signIn?.finish, 'function')
})

t.test('the fixture sign-in plugin passes the conformance suite', async t => {
  await runConformance(t, new URL('./fixtures/sign-in-plugin/', import.meta.url).pathname)
})
