// The one-call set-up of a connector test: start the plugin's fake, route the connector's calls to
// it, build a ConnectorContext from the fake's settings (validated by the settings schema, as the
// core does), close both when the test ends, and drain syncs into memory with the manifest's
// permissions.
import type { Dispatcher } from 'undici'
import type { HttpClientOptions } from '../../integrations/http-types.ts'
import type { Connector, ConnectorContext } from '../contract.ts'
import { drainSync, type DrainOptions, type DrainResult } from '../drain.ts'
import type { Checkpoint, SyncMessage } from '../records.ts'
import { createTestContext, routeToFake, type TestContextOptions } from '../test-context.ts'
import type { FakeOptions, PluginFake } from './plugin-fake.ts'

/** What the set-up needs of a tap Test. */
export interface TeardownTest { teardown: (fn: () => unknown) => unknown }

export interface ConnectorTestOptions<S, O extends FakeOptions, F extends PluginFake> {
  connector: Connector<S>
  manifest: TestContextOptions<S>['manifest'] & { permissions?: string[], syncs?: Array<{ id: string }> }
  /** The plugin's settings.schema.json: settings are validated (defaults applied) unless a call says validate: false. */
  settingsSchema?: object
  startFake: (options?: O) => Promise<F>
  /** ctx.http options for every test (e.g. { maxRetries: 2, maxWaitMs: 3000 }). */
  http?: Partial<HttpClientOptions>
}

export interface SetupOptions<S> {
  /** Merged over the fake's settings. */
  settings?: Partial<S> & Record<string, unknown>
  /** false: the settings reach the connector as stored ones would, unvalidated (ctx.http refuses them as the platform does when the schema does). */
  validate?: boolean
}

export interface ConnectorTest<S, F extends PluginFake> {
  fake: F
  ctx: ConnectorContext<S>
  dispatcher: Dispatcher
  /** drainSync into memory: the manifest's first sync and permissions unless given. */
  sync: (options?: Partial<DrainOptions>) => Promise<DrainResult>
  /** The sync's messages in order, as the connector yields them. */
  messages: (checkpoint?: Checkpoint | null, syncId?: string) => Promise<SyncMessage[]>
}

export type ConnectorTestSetup<S, O extends FakeOptions, F extends PluginFake> =
  (t: TeardownTest, fakeOptions?: O, options?: SetupOptions<S>) => Promise<ConnectorTest<S, F>>

export function connectorTest<S, O extends FakeOptions, F extends PluginFake> (
  plugin: ConnectorTestOptions<S, O, F>
): ConnectorTestSetup<S, O, F> {
  const { connector, manifest } = plugin
  const syncId = manifest.syncs?.[0]?.id ?? 'default'
  return async (t, fakeOptions, options = {}) => {
    const fake = await plugin.startFake(fakeOptions)
    const dispatcher = routeToFake(fake.url)
    t.teardown(async () => { await dispatcher.close(); await fake.close() })
    const ctx = createTestContext({
      manifest,
      settingsSchema: plugin.settingsSchema,
      validate: options.validate,
      settings: { ...fake.settings, ...options.settings },
      dispatcher,
      http: plugin.http
    }) as ConnectorContext<S>
    return {
      fake,
      ctx,
      dispatcher,
      sync: async (drain = {}) => await drainSync(connector, ctx as ConnectorContext, { syncId, permissions: manifest.permissions, ...drain }),
      messages: async (checkpoint = null, id = syncId) => {
        if (connector.sync === undefined) throw new TypeError('this connector has no sync capability')
        const messages: SyncMessage[] = []
        for await (const message of connector.sync(ctx, { syncId: id, checkpoint })) messages.push(message)
        return messages
      }
    }
  }
}
