// The plugin boundary, enforced by reading import statements: core never imports a plugin, and a
// plugin imports nothing from the core but core/sdk.ts (plus node builtins, npm packages, files of
// its own folder and plugins/_shared, the code one vendor's plugins share, which itself imports
// only core/sdk.ts). No plugin imports another. That is what lets a plugin live outside this
// repository.
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { readPlugins } from '../core/integrations/discovery.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SDK = join(ROOT, 'core', 'sdk.ts')
/** Folders whose children are plugin folders. */
const PLUGIN_ROOTS = [join(ROOT, 'plugins'), join(ROOT, 'test', 'fixtures')]
/** Code shared by the plugins of one vendor (plugins/_shared/<vendor>/): not a plugin. */
const SHARED = join(ROOT, 'plugins', '_shared')

/** Every module specifier of a file: static imports, export … from, and import('…') literals. */
function specifiers (source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map(file => file.fileName)
}

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep)

/** Why an import breaks the boundary, or null. `file` is absolute. */
function violation (file: string, specifier: string): string | null {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null // node builtin or npm package
  const target = resolve(dirname(file), specifier)
  const pluginRoot = PLUGIN_ROOTS.find(root => inside(file, root) && file !== root)
  if (pluginRoot === undefined) {
    return inside(file, join(ROOT, 'core')) && PLUGIN_ROOTS.some(root => inside(target, root)) ? 'core imports a plugin' : null
  }
  if (inside(file, SHARED)) return inside(target, SHARED) || target === SDK ? null : 'plugins/_shared may import only core/sdk.ts and plugins/_shared'
  const own = join(pluginRoot, relative(pluginRoot, file).split(sep)[0])
  if (inside(target, own) || target === SDK || inside(target, SHARED)) return null
  return 'a plugin may import only core/sdk.ts, files of its own folder and plugins/_shared'
}

/** The string literals of a TypeScript source whose value is one of `ids`, with their line. */
function idLiterals (source: string, ids: readonly string[]): Array<{ id: string, line: number }> {
  const file = ts.createSourceFile('core.ts', source, ts.ScriptTarget.Latest, true)
  const found: Array<{ id: string, line: number }> = []
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && ids.includes(node.text)) {
      found.push({ id: node.text, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/**
 * Core concepts that share a plugin's id, each defined in one file: SCIM the protocol, the actor
 * type of an identity provider's writes and the kind of token the core issues for it. Everywhere
 * else the core uses these files' constants.
 */
const CONCEPTS: Record<string, string[]> = {
  [join('core', 'audit', 'types.ts')]: ['scim'],
  [join('core', 'api', 'tokens.ts')]: ['scim']
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
  t.match(violation(plugin, '../other/index.ts'), /own folder/)
  t.match(violation(join(ROOT, 'core', 'app.ts'), '../plugins/demo/index.ts'), /core imports a plugin/)
  t.equal(violation(join(ROOT, 'core', 'app.ts'), './sdk.ts'), null)
})

t.test('plugins/_shared: a plugin may import it; it imports only core/sdk.ts and itself; no plugin imports another', async t => {
  const plugin = join(ROOT, 'plugins', 'demo', 'index.ts')
  const shared = join(SHARED, 'acme', 'errors.ts')
  t.equal(violation(plugin, '../_shared/acme/errors.ts'), null, 'a plugin imports its vendor\'s shared code')
  t.equal(violation(join(ROOT, 'plugins', 'demo', 'sync', 'pages.ts'), '../../_shared/acme/paging.ts'), null)
  t.equal(violation(join(ROOT, 'test', 'fixtures', 'demo', 'index.ts'), '../../../plugins/_shared/acme/errors.ts'), null)
  t.equal(violation(shared, '../../../core/sdk.ts'), null)
  t.equal(violation(shared, './paging.ts'), null)
  t.equal(violation(shared, '../other-vendor/hosts.ts'), null)
  t.equal(violation(shared, 'undici'), null)
  t.match(violation(shared, '../../demo/map.ts'), /_shared may import only/, 'shared code never imports a plugin')
  t.match(violation(shared, '../../../core/db/index.ts'), /_shared may import only/)
  t.match(violation(shared, '../../../core/sdk/contract.ts'), /_shared may import only/)
  t.match(violation(plugin, '../other/_shared/x.ts'), /own folder/, 'only plugins/_shared is shared')
  t.match(violation(plugin, '../other/index.ts'), /own folder/)
  t.match(violation(join(ROOT, 'core', 'app.ts'), '../plugins/_shared/acme/errors.ts'), /core imports a plugin/)
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

t.test('the checker finds a plugin\'s id as a string literal, not in words, comments or names', async t => {
  const ids = ['scim', 'jamf']
  t.same(idLiterals('const hosted = new Set([\'scim\'])\nif (p.id === "jamf") go()\nconst x = `scim`', ids).map(f => f.id), ['scim', 'jamf', 'scim'])
  t.same(idLiterals('// the scim plugin\nconst scim = plugin.auth === \'scim-token\'\nconst url = \'/scim/v2\'\nlog(`Jamf ` + id)', ids), [])
})

t.test('the core names no plugin: no discovered plugin\'s id is a string literal in core code', async t => {
  const ids = (await readPlugins()).map(p => p.id)
  t.ok(ids.includes('scim') && ids.includes('jamf'), 'the plugins are read')
  const found: string[] = []
  for (const file of (await tsFiles(join(ROOT, 'core'))).filter(f => !f.endsWith('.test.ts'))) {
    const allowed = CONCEPTS[relative(ROOT, file)] ?? []
    for (const { id, line } of idLiterals(await readFile(file, 'utf8'), ids)) {
      if (!allowed.includes(id)) found.push(`${relative(ROOT, file)}:${line} names the plugin "${id}"`)
    }
  }
  t.same(found, [], 'the core keys on manifest data (auth, routesPrefix, configure), never on a plugin\'s id')
})
