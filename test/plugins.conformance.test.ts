// Every plugin in plugins/ (and the example plugin outside it) must pass the conformance suite.
import t from 'tap'
import { BUILTIN_PLUGINS_DIR, childPlugins } from '../core/integrations/discovery.ts'
import { runConformance } from '../core/sdk/testing.ts'

// The folders discovery loads; one without a manifest.json (a plugin still being built) is not one.
const folders = await childPlugins(BUILTIN_PLUGINS_DIR)

t.ok(folders.length > 0, 'plugins/ holds plugins')
for (const dir of folders) {
  t.test(`plugins/${dir.slice(BUILTIN_PLUGINS_DIR.length)}`, async t => { await runConformance(t, dir) })
}
t.test('test/fixtures/external-plugin (outside plugins/)', async t => {
  await runConformance(t, new URL('./fixtures/external-plugin/', import.meta.url).pathname)
})
