// Discovery: the real plugins, a plugin outside plugins/ given as an extra path, and broken
// plugins that must each stop start-up with an error naming the file and the field.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import { discoverPlugins, parsePluginPaths, PluginDiscoveryError, readPlugins } from '../core/integrations/discovery.ts'
import { MANIFEST_SCHEMA } from '../core/integrations/manifest.ts'
import { EVENT_TYPES } from '../core/sdk.ts'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const EXTERNAL = join(FIXTURES, 'external-plugin')
const SDK_URL = pathToFileURL(fileURLToPath(new URL('../core/sdk.ts', import.meta.url))).href

t.test('discovers the plugins of plugins/ with their files and connectors', async t => {
  const plugins = await discoverPlugins()
  const slack = plugins.find(p => p.id === 'slack-alerts')
  t.ok(slack, 'slack-alerts')
  t.same(Object.keys(slack?.connector ?? {}).sort(), ['notify', 'test'])
  t.match(slack, { manifest: { categories: ['communication'] }, settingsSchema: { properties: { webhookUrl: { writeOnly: true } } } })
  t.match(slack?.cardTemplate, /saved — leave blank to keep/)
  t.match(slack?.iconSvg, /^<svg/)
  const jira = plugins.find(p => p.id === 'jira-service-management')
  t.match(jira, { manifest: { status: 'coming-soon', categories: ['ticketing'] }, connector: null, settingsSchema: null, cardTemplate: null })
})

t.test('loads a plugin from outside plugins/: a plugin folder, or a folder of plugin folders', async t => {
  for (const path of [EXTERNAL, FIXTURES]) {
    const plugins = await discoverPlugins({ pluginDirs: [path] })
    const external = plugins.find(p => p.id === 'acme-inventory')
    t.equal(external?.dir, EXTERNAL, `found through ${path}`)
    t.same(Object.keys(external?.connector ?? {}).sort(), ['sync', 'test'])
  }
  const only = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })
  t.same(only.map(p => p.id), ['acme-inventory'])
})

t.test('a folder whose name starts with _ is code shared by plugins, never a plugin, even with a manifest', async t => {
  const root = await mkdtemp(join(tmpdir(), 'stocktake-plugins-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  await cp(EXTERNAL, join(root, 'acme'), { recursive: true })
  await cp(EXTERNAL, join(root, '_shared'), { recursive: true }) // the same id: read, it would be refused as a duplicate
  const plugins = await readPlugins({ builtinDir: null, pluginDirs: [root] })
  t.same(plugins.map(p => p.dir), [join(root, 'acme')])
  t.notOk((await readPlugins()).some(p => p.dir.includes('_shared')), 'plugins/_shared is not discovered')
})

t.test('STOCKTAKE_PLUGIN_PATHS is a :-separated list', async t => {
  t.same(parsePluginPaths('/opt/plugins: /srv/one-plugin ::'), ['/opt/plugins', '/srv/one-plugin'])
  t.same(parsePluginPaths(undefined), [])
})

t.test('the manifest schema lists exactly the core\'s event names', async t => {
  const notifies = (MANIFEST_SCHEMA.properties as Record<string, { items: { enum: string[] } }>).notifies
  t.same(notifies.items.enum, [...EVENT_TYPES])
})

/** A copy of the external fixture in a temp folder, its SDK imports pointed at this core, broken by `edit`. */
async function brokenPlugin (t: Test, edit: (dir: string) => Promise<void>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'stocktake-plugin-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  const dir = join(root, 'broken')
  await cp(EXTERNAL, dir, { recursive: true })
  for (const file of ['index.ts', 'map.ts', 'fake.ts']) {
    const path = join(dir, file)
    await writeFile(path, (await readFile(path, 'utf8')).replaceAll('../../../core/sdk.ts', SDK_URL))
  }
  await edit(dir)
  return dir
}

async function editJson (path: string, change: (json: Record<string, any>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'))
  change(json)
  await writeFile(path, JSON.stringify(json))
}

const manifest = (change: (m: Record<string, any>) => void) => async (dir: string) => { await editJson(join(dir, 'manifest.json'), change) }
const settings = (change: (s: Record<string, any>) => void) => async (dir: string) => { await editJson(join(dir, 'settings.schema.json'), change) }

const cases: Array<[string, (dir: string) => Promise<void>, string, RegExp]> = [
  ['bad id', manifest(m => { m.id = 'Acme Inventory' }), 'manifest.json', /: \/id must be 2-41 lowercase letters/],
  ['unknown capability', manifest(m => { m.capabilities = ['test', 'sync', 'teleport'] }), 'manifest.json', /: \/capabilities\/2 must be one of test, sync, lookup, notify, tickets, routes, page, disconnect/],
  ['contract 2', manifest(m => { m.contract = 2 }), 'manifest.json', /: \/contract is 2, but this core implements contract 1/],
  ['duplicate id', manifest(m => { m.id = 'slack-alerts' }), 'manifest.json', /: \/id "slack-alerts" is already the id of plugins\/slack-alerts\/manifest\.json/],
  ['unknown field', manifest(m => { m.colour = 'red' }), 'manifest.json', /: \/colour is not an allowed field/],
  ['missing entry', manifest(m => { delete m.entry }), 'manifest.json', /: \/entry is required/],
  ['core version out of range', manifest(m => { m.compatibility = { core: '^9.0' } }), 'manifest.json', /: \/compatibility\/core "\^9\.0" does not include this core's version \d+\.\d+\.\d+/],
  ['core range not semver', manifest(m => { m.compatibility = { core: 'latest please' } }), 'manifest.json', /: \/compatibility\/core "latest please" is not a semver range/],
  ['a named file missing', manifest(m => { m.card = './missing.hbs' }), 'manifest.json', /: \/card names \.\/missing\.hbs, which does not exist/],
  ['page capability without its template', manifest(m => { m.capabilities = ['test', 'sync', 'page'] }), 'manifest.json', /: \/page is required/],
  ['page template without the capability', manifest(m => { m.page = './index.ts.hbs'; m.configure = 'page' }), 'manifest.json', /: \/capabilities must contain "page"/],
  ['page capability on a modal', manifest(m => { m.capabilities = ['test', 'sync', 'page']; m.page = './page.hbs'; m.configure = 'modal' }), 'manifest.json', /: \/configure must be "page"/],
  ['sync without permission', manifest(m => { m.permissions = ['person:write'] }), 'manifest.json', /: \/syncs\/0\/model needs "device:write" in permissions/],
  ['secret without writeOnly', settings(s => { delete s.properties.apiKey.writeOnly }), 'settings.schema.json', /: \/properties\/apiKey looks like a secret and must carry "writeOnly": true/],
  ['settings not an object schema', settings(s => { s.type = 'array' }), 'settings.schema.json', /: \/type must be "object"/],
  ['settings not a JSON Schema', settings(s => { s.properties.baseUrl.type = 'text' }), 'settings.schema.json', /: \/properties\/baseUrl\/type must be/],
  ['declared capability not exported', manifest(m => { m.capabilities = ['test', 'sync', 'lookup'] }), 'manifest.json', /: \/capabilities\/2 declares lookup, but .*index\.ts does not implement it/],
  ['exported capability not declared', manifest(m => { m.capabilities = ['test'] }), 'manifest.json', /: \/capabilities does not declare sync, but .*index\.ts implements it/],
  ['oauth2 placeholder not a setting', manifest(m => { m.auth = 'oauth2-client-credentials'; m.oauth2 = { tokenUrl: '{{baseURL}}/oauth/token', clientId: 'stocktake', clientSecret: '{{apiKey}}' } }), 'manifest.json', /: \/oauth2\/tokenUrl uses \{\{baseURL\}\}, which is not a property of the settings schema/],
  ['oauth2 secret setting not writeOnly', manifest(m => { m.auth = 'oauth2-client-credentials'; m.oauth2 = { tokenUrl: '{{baseUrl}}/oauth/token', clientId: 'stocktake', clientSecret: '{{baseUrl}}' } }), 'manifest.json', /: \/oauth2\/clientSecret uses \{\{baseUrl\}\}, which must be writeOnly/],
  ['oauth2 secret written in the manifest', manifest(m => { m.auth = 'oauth2-client-credentials'; m.oauth2 = { tokenUrl: '{{baseUrl}}/oauth/token', clientId: 'stocktake', clientSecret: 'hunter2' } }), 'manifest.json', /: \/oauth2\/clientSecret must be exactly one \{\{setting\}\} placeholder/]
]

for (const [name, edit, file, message] of cases) {
  t.test(`refused: ${name}`, async t => {
    const dir = await brokenPlugin(t, edit)
    const err = await discoverPlugins({ pluginDirs: [dir] }).then(() => null, (e: unknown) => e)
    t.ok(err instanceof PluginDiscoveryError, 'a PluginDiscoveryError')
    const problem = (err as PluginDiscoveryError).message.split('\n').find(line => line.includes(join(dir, file)))
    t.match(problem, message, (err as Error).message)
  })
}

t.test('a folder that does not exist is named', async t => {
  await t.rejects(discoverPlugins({ pluginDirs: ['/nonexistent/stocktake-plugins'] }), /\/nonexistent\/stocktake-plugins: STOCKTAKE_PLUGIN_PATHS is not a folder/)
})
