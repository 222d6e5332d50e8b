// The SDK's two entries: `stocktake/sdk` (core/sdk.ts) is what a running connector loads, so it
// must not load the conformance suite, handlebars or the testing kit; `stocktake/sdk/testing`
// (core/sdk/testing.ts) is for fakes and tests. Neither reaches core/db or core/config, even
// through types, so the SDK carries no import cycle through the core's start-up.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import ts from 'typescript'
import { repoRoot } from './helpers/process.ts'

/** The modules a fresh node process resolves when it imports `entry`. */
async function modulesLoadedBy (entry: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'stocktake-loads-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'loads.txt')
  await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', './test/helpers/record-loads.mjs', '-e', `await import(${JSON.stringify(entry)})`],
    { cwd: repoRoot, env: { ...process.env, STOCKTAKE_RECORD_LOADS: file } })
  return (await readFile(file, 'utf8')).split('\n').filter(line => line !== '')
}

/** Every .ts file `entry` reaches through its relative imports, type-only ones included. */
function staticGraph (entry: string): string[] {
  const seen = new Set<string>()
  const walk = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const target = resolve(dirname(file), fileName)
      if (fileName.startsWith('.') && target.endsWith('.ts') && existsSync(target)) walk(target)
    }
  }
  walk(resolve(repoRoot, entry))
  return [...seen].map(file => relative(repoRoot, file).split('\\').join('/'))
}

const heavy = (urls: string[]) => urls.filter(url => /\/core\/sdk\/(conformance|testing)|\/handlebars\/|\/core\/db\/|\/core\/config\.ts/.test(url))

t.test('the runtime entry loads neither the conformance suite nor handlebars nor the testing kit', async t => {
  const loaded = await modulesLoadedBy('./core/sdk.ts')
  t.ok(loaded.some(url => url.endsWith('/core/sdk/contract.ts')), 'the recorder sees the SDK\'s modules')
  t.same(heavy(loaded), [])
})

t.test('the testing entry loads them (the recorder would see them)', async t => {
  const loaded = await modulesLoadedBy('./core/sdk/testing.ts')
  t.ok(loaded.some(url => url.endsWith('/core/sdk/conformance.ts')), 'the conformance suite')
  t.ok(loaded.some(url => url.includes('/handlebars/')), 'handlebars')
})

t.test('neither entry reaches core/db or core/config, through types either', async t => {
  for (const entry of ['core/sdk.ts', 'core/sdk/testing.ts']) {
    const graph = staticGraph(entry)
    t.ok(graph.includes('core/sdk/contract.ts'), `${entry}: the walk follows imports`)
    t.same(graph.filter(file => file.startsWith('core/db/') || file === 'core/config.ts'), [], entry)
  }
})

t.test('package.json exports the two entries and nothing else of the core', async t => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { name: string, exports: Record<string, string> }
  t.same(pkg.exports, { './sdk': './core/sdk.ts', './sdk/testing': './core/sdk/testing.ts', './package.json': './package.json' })
  // resolved by the package's own name, as a plugin outside the repository resolves it
  t.equal(import.meta.resolve('stocktake/sdk'), new URL('core/sdk.ts', `file://${repoRoot}`).href)
  t.equal(import.meta.resolve('stocktake/sdk/testing'), new URL('core/sdk/testing.ts', `file://${repoRoot}`).href)
  t.throws(() => import.meta.resolve('stocktake/core/db/index.ts'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
})
