// The plugin boundary, enforced by reading import statements: core never imports a plugin, and a
// plugin imports nothing from the core but the SDK's two entries, core/sdk.ts (`stocktake/sdk`) and,
// in its fakes and tests only, core/sdk/testing.ts (`stocktake/sdk/testing`) — plus node builtins,
// npm packages and files of its own folder. That is what lets a plugin live outside this repository.
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SDK = join(ROOT, 'core', 'sdk.ts')
const SDK_TESTING = join(ROOT, 'core', 'sdk', 'testing.ts')
/** The package's own names (package.json exports). */
const PACKAGE_ENTRIES = new Map([['stocktake/sdk', SDK], ['stocktake/sdk/testing', SDK_TESTING]])
/** Folders whose children are plugin folders. */
const PLUGIN_ROOTS = [join(ROOT, 'plugins'), join(ROOT, 'test', 'fixtures')]

/** Every module specifier of a file: static imports, export … from, and import('…') literals. */
function specifiers (source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map(file => file.fileName)
}

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep)

/** A plugin's fake or test, which may use the testing entry. */
const isFakeOrTest = (file: string): boolean => /(^|[\\/])fake[\w-]*\.ts$|\.test\.ts$/.test(file)

/** Why an import breaks the boundary, or null. `file` is absolute. */

function violation (file: string, specifier: string): string | null {
  if (specifier === 'stocktake' || specifier.startsWith('stocktake/')) {
    if (!PACKAGE_ENTRIES.has(specifier)) return 'the stocktake package exports only stocktake/sdk and stocktake/sdk/testing'
  } else if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
    return null // node builtin or npm package
  }
  const target = PACKAGE_ENTRIES.get(specifier) ?? resolve(dirname(file), specifier)
  const pluginRoot = PLUGIN_ROOTS.find(root => inside(file, root) && file !== root)
  if (pluginRoot === undefined) {
    return inside(file, join(ROOT, 'core')) && PLUGIN_ROOTS.some(root => inside(target, root)) ? 'core imports a plugin' : null
  }
  const own = join(pluginRoot, relative(pluginRoot, file).split(sep)[0])
  if (inside(target, own) || target === SDK) return null
  if (target === SDK_TESTING) return isFakeOrTest(file) ? null : 'only a plugin\'s fake*.ts and *.test.ts may import the SDK\'s testing entry'
  return 'a plugin may import only core/sdk.ts and files of its own folder'
}

async function tsFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(entries.map(async entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : await tsFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  }))
  return nested.flat()
}

t.test('the checker reads every kind of import and judges them', async t => {
  t.same(specifiers('import a from \'./a.ts\'\nimport type { B } from "../b.ts"\nexport * from \'./c.ts\'\nexport { d } from \'./d.ts\'\nconst e = await import(\'./e.ts\')\nimport \'./f.ts\''),
    ['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts', './f.ts'])
  const plugin = join(ROOT, 'plugins', 'demo', 'index.ts')
  t.equal(violation(plugin, '../../core/sdk.ts'), null)
  t.equal(violation(plugin, './client.ts'), null)
  t.equal(violation(plugin, 'undici'), null)
  t.equal(violation(plugin, 'node:crypto'), null)
  t.match(violation(plugin, '../../core/db/index.ts'), /only core\/sdk\.ts/)
  t.match(violation(plugin, '../../core/sdk/contract.ts'), /only core\/sdk\.ts/)
  t.equal(violation(plugin, 'stocktake/sdk'), null)
  t.match(violation(plugin, 'stocktake/sdk/testing'), /only a plugin's fake\*\.ts and \*\.test\.ts/, 'runtime code may not load the testing kit')
  t.match(violation(plugin, '../../core/sdk/testing.ts'), /only a plugin's fake/)
  for (const file of ['fake.ts', 'fake-fleet.ts', 'demo.test.ts']) {
    t.equal(violation(join(ROOT, 'plugins', 'demo', file), 'stocktake/sdk/testing'), null, `${file} may`)
    t.equal(violation(join(ROOT, 'plugins', 'demo', file), '../../core/sdk/testing.ts'), null, `${file} may, by path`)
  }
  t.match(violation(plugin, 'stocktake/core/db/index.ts'), /exports only stocktake\/sdk/)
  t.match(violation(plugin, '../other/index.ts'), /own folder/)
  t.match(violation(join(ROOT, 'core', 'app.ts'), '../plugins/demo/index.ts'), /core imports a plugin/)
  t.equal(violation(join(ROOT, 'core', 'app.ts'), './sdk.ts'), null)
})

t.test('no file breaks the boundary', async t => {
  const files = [...await tsFiles(join(ROOT, 'core')), ...(await Promise.all(PLUGIN_ROOTS.map(tsFiles))).flat()]
  t.ok(files.some(f => f.endsWith(join('plugins', 'slack-alerts', 'index.ts'))), 'plugins are read')
  const found: string[] = []
  for (const file of files) {
    for (const specifier of specifiers(await readFile(file, 'utf8'))) {
      const why = violation(file, specifier)
      if (why !== null) found.push(`${relative(ROOT, file)} imports ${specifier}: ${why}`)
    }
  }
  t.same(found, [])
})
