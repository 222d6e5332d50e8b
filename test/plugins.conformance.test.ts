// Every plugin in plugins/ (and the example plugin outside it) must pass the conformance suite.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { BUILTIN_PLUGINS_DIR } from '../core/integrations/discovery.ts'
import { runConformance } from '../core/sdk.ts'

const folders = (await readdir(BUILTIN_PLUGINS_DIR, { withFileTypes: true }))
  .filter(entry => entry.isDirectory())
  .map(entry => join(BUILTIN_PLUGINS_DIR, entry.name))
  .sort()

t.ok(folders.length > 0, 'plugins/ holds plugins')
for (const dir of folders) {
  t.test(`plugins/${dir.slice(BUILTIN_PLUGINS_DIR.length)}`, async t => { await runConformance(t, dir) })
}
t.test('test/fixtures/external-plugin (outside plugins/)', async t => {
  await runConformance(t, new URL('./fixtures/external-plugin/', import.meta.url).pathname)
})
