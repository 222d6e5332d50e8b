import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The example plugin (also a test fixture, so the template is itself tested) is the scaffold's template. */
const TEMPLATE_DIR = fileURLToPath(new URL('../test/fixtures/external-plugin/', import.meta.url))
const CORE_DIR = fileURLToPath(new URL('../core/', import.meta.url))
const TEMPLATE_ID = 'acme-inventory'
const TEMPLATE_NAME = 'Acme Inventory (example)'
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9-]{1,40}$/

export class ScaffoldError extends Error {}

const titleOf = (id: string) => id.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')

/** A posix relative path from a folder to a file, starting with ./ or ../. */
function relativePath (fromDir: string, file: string): string {
  const rel = path.relative(fromDir, file).split(path.sep).join('/')
  return rel.startsWith('.') ? rel : `./${rel}`
}

/** True when `dir` is outside this repository: its imports of stocktake/sdk need stocktake as a dependency. */
export const outsideRepository = (dir: string): boolean => path.relative(path.resolve(CORE_DIR, '..'), dir).startsWith('..')

/**
 * A plugin outside the repository is a package of its own: ESM like the SDK (a CommonJS copy of the
 * SDK would not share its error classes with the core), with stocktake as a dependency so that
 * stocktake/sdk resolves, and tap and tsx to run its test.
 */
async function packageJson (id: string): Promise<object> {
  const own = JSON.parse(await fs.readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string, dependencies: Record<string, string>, devDependencies: Record<string, string> }
  return {
    name: `stocktake-plugin-${id}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { test: `tap ${id}.test.ts` },
    peerDependencies: { stocktake: `>=${own.version}` },
    devDependencies: { tap: own.devDependencies.tap, tsx: own.dependencies.tsx },
    tap: { plugin: ['!@tapjs/typescript'], 'node-arg': ['--import=tsx'] }
  }
}

/**
 * Creates `<parent>/<id>/` from the template: a working plugin (manifest, settings schema, index,
 * client, map, card, icon, fake, test) that passes the conformance suite as it is. It imports the
 * SDK by its package names, stocktake/sdk and stocktake/sdk/testing (package.json exports), so it
 * works inside this repository and, with stocktake as a dependency, outside it.
 */
export async function scaffoldPlugin (id: string, parent: string): Promise<string> {
  if (!PLUGIN_ID_PATTERN.test(id)) throw new ScaffoldError(`plugin id "${id}" must be lowercase letters, digits and dashes, starting with a letter (2-41 characters)`)
  const dir = path.resolve(parent, id)
  if (await fs.stat(dir).then(() => true, () => false)) throw new ScaffoldError(`${dir} already exists`)
  await fs.mkdir(dir, { recursive: true })
  const schema = relativePath(dir, path.join(CORE_DIR, 'plugin-manifest.schema.json'))
  for (const file of await fs.readdir(TEMPLATE_DIR)) {
    const text = (await fs.readFile(path.join(TEMPLATE_DIR, file), 'utf8'))
      .replaceAll('../../../core/plugin-manifest.schema.json', schema)
      .replaceAll(TEMPLATE_NAME, titleOf(id))
      .replaceAll(TEMPLATE_ID, id)
    await fs.writeFile(path.join(dir, file === 'external-plugin.test.ts' ? `${id}.test.ts` : file), text)
  }
  if (outsideRepository(dir)) await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(await packageJson(id), null, 2) + '\n')
  return dir
}
