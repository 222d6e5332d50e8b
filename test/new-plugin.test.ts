import t from 'tap'
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { runConformance } from '../core/sdk/testing.ts'
import { discoverPlugins } from '../core/integrations/discovery.ts'
import { repoRoot, runToEnd } from './helpers/process.ts'

t.test('new-plugin scaffolds, outside the repository, a folder that imports stocktake/sdk and passes discovery, conformance and its own tests', async t => {
  // Where a plugin author works: stocktake linked in (as `npm link stocktake` gives), tap and tsx installed.
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-plugin-'))
  t.teardown(() => fs.rm(parent, { recursive: true, force: true }))
  t.ok(path.relative(repoRoot, parent).startsWith('..'), 'the folder is outside the repository')
  await fs.mkdir(path.join(parent, 'node_modules'))
  await fs.symlink(repoRoot, path.join(parent, 'node_modules', 'stocktake'), 'dir')
  for (const dev of ['tap', 'tsx']) await fs.symlink(path.join(repoRoot, 'node_modules', dev), path.join(parent, 'node_modules', dev), 'dir')

  const created = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'acme-hris', '--dir', parent], {})
  t.equal(created.code, 0, created.output)
  t.match(created.output, /npm link stocktake/, 'the author is told how stocktake/sdk resolves')
  const dir = path.join(parent, 'acme-hris')
  const files = (await fs.readdir(dir)).sort()
  t.same(files, ['acme-hris.test.ts', 'card.hbs', 'client.ts', 'fake.ts', 'icon.svg', 'index.ts', 'manifest.json', 'map.ts', 'package.json', 'settings.schema.json'])
  t.match(JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')), { type: 'module', peerDependencies: { stocktake: String }, devDependencies: { tap: String, tsx: String } }, 'a package of its own, ESM like the SDK')
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'))
  t.match(manifest, { id: 'acme-hris', name: 'Acme Hris' })
  const sources = await Promise.all(files.filter(f => f.endsWith('.ts')).map(async f => await fs.readFile(path.join(dir, f), 'utf8')))
  t.ok(sources.some(s => s.includes('from \'stocktake/sdk\'')) && sources.some(s => s.includes('from \'stocktake/sdk/testing\'')), 'the SDK by its package names')
  t.notOk(sources.some(s => /from '\.\.?\/.*core\//.test(s)), 'no relative path into the core')

  const [plugin] = await discoverPlugins({ pluginDirs: [dir], builtinDir: null })
  t.equal(plugin.id, 'acme-hris')
  t.ok(plugin.connector !== null, 'its connector loads through stocktake/sdk')
  await runConformance(t, dir)
  // Its own test, run where it lives, as its author runs it: node resolves stocktake/sdk/testing through package.json exports.
  const own = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'acme-hris.test.ts'], { cwd: dir }).then(r => ({ code: 0, out: r.stdout }), (e: { code: number, stdout: string }) => ({ code: e.code, out: e.stdout }))
  t.equal(own.code, 0, own.out)
  t.match(own.out, /# \{ total: \d+, pass: \d+ \}|# pass\s+\d+|ok \d+ - sync: created/, 'its tests ran')
  t.notMatch(own.out, /not ok/)
  const inside = await fs.mkdtemp(path.join(repoRoot, 'test', '.scaffold-'))
  t.teardown(() => fs.rm(inside, { recursive: true, force: true }))
  t.equal((await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'acme-hris', '--dir', inside], {})).code, 0)
  t.notOk((await fs.readdir(path.join(inside, 'acme-hris'))).includes('package.json'), 'inside the repository it is part of the stocktake package')

  const again = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'acme-hris', '--dir', parent], {})
  t.equal(again.code, 2)
  t.match(again.output, /already exists/)
  const bad = await runToEnd('node', ['scripts/stocktake.js', 'new-plugin', 'Bad_Id'], {})
  t.equal(bad.code, 2)
  t.match(bad.output, /plugin id "Bad_Id" must be lowercase/)
})
