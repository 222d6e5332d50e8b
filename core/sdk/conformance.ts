// The conformance suite every plugin must pass, as a function usable from any tap test (here or in
// a third party's repository): runConformance(t, pluginDir).
import { access } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cardContext, renderCard } from '../integrations/card-context.ts'
import { connectorProblems } from '../integrations/connector-loader.ts'
import { readPlugins, type PluginFolder } from '../integrations/discovery.ts'
import { looksSecret } from '../integrations/settings-schema.ts'
import { secretFields } from '../integrations/settings-validation.ts'
import type { Connector } from './contract.ts'
import { sampleSettings } from './sample-settings.ts'
import { createTestContext, routeToFake } from './test-context.ts'
import type { StartFake } from './testing/plugin-fake.ts'

export type { FakeOptions, PluginFake, StartFake } from './testing/plugin-fake.ts'

/** The subset of a tap Test the suite uses. */
export interface ConformanceTest {
  test (name: string, fn: (t: ConformanceTest) => Promise<void>): PromiseLike<unknown>
  ok (value: unknown, message: string): unknown
  equal (found: unknown, wanted: unknown, message: string): unknown
  same (found: unknown, wanted: unknown, message: string): unknown
  fail (message: string): unknown
  teardown (fn: () => unknown): unknown
}

const exists = async (path: string): Promise<boolean> => await access(path).then(() => true, () => false)

async function checkCard (t: ConformanceTest, plugin: PluginFolder): Promise<void> {
  const { manifest, settingsSchema, cardTemplate } = plugin
  if (cardTemplate === null) {
    t.ok(true, 'no card.hbs: nothing to render')
    return
  }
  const empty = renderCard(cardTemplate, cardContext(manifest, settingsSchema, { enabled: false, values: {}, secretsSaved: {} }))
  t.ok(typeof empty === 'string', 'renders with empty settings')
  if (settingsSchema === null) return
  const { settings, secrets } = sampleSettings(settingsSchema)
  const saved = Object.fromEntries(secretFields(settingsSchema).map(name => [name, true]))
  const filled = renderCard(cardTemplate, cardContext(manifest, settingsSchema, { enabled: true, values: settings, secretsSaved: saved }))
  for (const secret of secrets) t.ok(!filled.includes(secret), 'the filled card shows no secret value')
}

async function checkFakeAndTest (t: ConformanceTest, plugin: PluginFolder, connector: Connector): Promise<void> {
  const fakeFile = resolve(plugin.dir, 'fake.ts')
  if (!await exists(fakeFile)) {
    t.fail('a plugin that calls a vendor (allowedHosts) ships fake.ts')
    return
  }
  const { startFake } = await import(pathToFileURL(fakeFile).href) as { startFake?: StartFake }
  if (typeof startFake !== 'function') {
    t.fail('fake.ts exports startFake(options?)')
    return
  }
  if (connector.test === undefined) return
  const hasCredentials = secretFields(plugin.settingsSchema ?? { type: 'object' }).length > 0
  for (const rejectCredentials of [false, true]) {
    const fake = await startFake({ rejectCredentials })
    const dispatcher = routeToFake(fake.url)
    t.teardown(async () => { await dispatcher.close(); await fake.close() })
    t.ok(typeof fake.url === 'string' && typeof fake.close === 'function', 'startFake() returns { url, settings, close }')
    const logged: string[] = []
    const capture = (obj: unknown, msg?: string) => { logged.push(JSON.stringify([obj, msg], (_key, value: unknown) => value instanceof Error ? { message: value.message, stack: value.stack } : value)) }
    const ctx = createTestContext({
      manifest: plugin.manifest,
      settings: fake.settings,
      settingsSchema: plugin.settingsSchema ?? undefined,
      dispatcher,
      log: { debug: capture, info: capture, warn: capture, error: capture },
      // The fake listens on loopback, which ctx.http refuses unless allowed (as an operator allows an on-premises host).
      http: { maxRetries: 1, maxWaitMs: 2000, allowPrivateHosts: [new URL(fake.url).hostname] }
    })
    try {
      const result = await connector.test(ctx)
      if (rejectCredentials) {
        const reason = result.ok ? undefined : result.reason
        t.same({ ok: result.ok, reason }, { ok: false, reason: hasCredentials ? 'auth' : 'config' }, 'rejected credentials: test() reports them')
      } else {
        t.same(result.ok ? { ok: true } : result, { ok: true }, 'test() succeeds against its fake')
      }
    } catch (err) {
      t.fail(`test() must return a TestResult, not throw: ${(err as Error).message}`)
    }
    // A connector that logs its settings, a URL or a vendor's echo of its key prints no secret.
    ctx.log.warn({ settings: ctx.settings, err: new Error(`refused ${JSON.stringify(ctx.settings)}`) }, `settings: ${JSON.stringify(ctx.settings)}`)
    const secrets = secretFields(plugin.settingsSchema ?? { type: 'object' }).map(name => fake.settings[name]).filter(s => typeof s === 'string' && s.length >= 4) as string[]
    for (const secret of secrets) t.ok(!logged.some(line => line.includes(secret)), 'ctx.log prints no secret setting value')
  }
}

export async function runConformance (t: ConformanceTest, pluginDir: string): Promise<void> {
  const dir = resolve(pluginDir)
  let plugin: PluginFolder | undefined
  await t.test('manifest and settings schema are valid', async t => {
    try {
      plugin = (await readPlugins({ builtinDir: null, pluginDirs: [dir] }))[0]
      t.ok(plugin !== undefined, 'the folder holds a plugin')
    } catch (err) {
      t.fail((err as Error).message)
    }
  })
  if (plugin === undefined) return
  const found = plugin

  await t.test('every secret-looking setting is writeOnly', async t => {
    for (const [name, prop] of Object.entries(found.settingsSchema?.properties ?? {})) {
      if (looksSecret(name, prop)) t.equal(prop.writeOnly, true, `${name} is writeOnly`)
    }
  })
  await t.test('the card renders without leaking secrets', async t => { await checkCard(t, found) })
  if (found.manifest.entry === undefined) return

  let connector: Connector | undefined
  await t.test('the entry exports only its connector, with exactly the declared capabilities', async t => {
    const entry = resolve(found.dir, found.manifest.entry as string)
    const module = await import(pathToFileURL(entry).href) as Record<string, unknown>
    t.same(Object.keys(module), ['default'], 'nothing but the default export')
    t.same(connectorProblems(module, found.manifest, resolve(found.dir, 'manifest.json'), entry), [], 'capabilities match the manifest')
    connector = module.default as Connector
  })
  if (connector === undefined || (found.manifest.allowedHosts ?? []).length === 0) return
  const loaded = connector
  await t.test('ships a fake, and test() answers against it without throwing', async t => { await checkFakeAndTest(t, found, loaded) })
}
