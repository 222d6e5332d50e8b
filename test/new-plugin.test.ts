import t from 'tap'
import fs from 'node:fs/promises'
import path from 'node:path'
import { runConformance } from '../core/sdk/testing.ts'
import { discoverPlugins } from '../core/integrations/discovery.ts'
import { repoRoot, runToEnd } from './helpers/process.ts'

t.test('new-plugin scaffolds a folder that passes discovery, conformance and its own tests', async t => {
  // Inside the repository (so its imports of core/sdk.ts resolve), outside plugins/ (other suites scan that).
  const parent = await fs.mkdtemp(path.join(repoRoot, 'test', '.scaffold-'))
  t.teardown(() => fs.rm(parent, { recursive: true, force: true }))

  const created = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'acme-hris', '--dir', parent], {})
  t.equal(created.code, 0, created.output)
  const dir = path.join(parent, 'acme-hris')
  const files = (await fs.readdir(dir)).sort()
  t.same(files, ['acme-hris.test.ts', 'card.hbs', 'client.ts', 'fake.ts', 'icon.svg', 'index.ts', 'manifest.json', 'map.ts', 'settings.schema.json'])
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'))
  t.match(manifest, { id: 'acme-hris', name: 'Acme Hris' })

  const [plugin] = await discoverPlugins({ pluginDirs: [dir], builtinDir: null })
  t.equal(plugin.id, 'acme-hris')
  await runConformance(t, dir)
  const own = await runToEnd('npx', ['tap', path.join(dir, 'acme-hris.test.ts')], {})
  t.equal(own.code, 0, 'its own tests pass')

  const again = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'acme-hris', '--dir', parent], {})
  t.equal(again.code, 2)
  t.match(again.output, /already exists/)
  const bad = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'Bad_Id'], {})
  t.equal(bad.code, 2)
  t.match(bad.output, /plugin id "Bad_Id" must be lowercase/)
})
