// The SDK's testing entry (`stocktake/sdk/testing`): what a plugin's fake.ts and tests import, kept
// apart from the runtime entry (`stocktake/sdk`, core/sdk.ts) so that loading a connector never
// loads the conformance suite, handlebars or a fake server. docs/writing-a-plugin.md, "Testing
// your plugin".

// A ConnectorContext like the core's, routing to a local fake, draining syncs into memory.
export { createTestContext, createMemoryCache, routeToFake, silentLogger, type TestContextOptions } from './test-context.ts'
export { drainSync, createMemoryStore, type DrainOptions, type DrainResult, type MemoryStore, type SyncCounts, type RecordError } from './drain.ts'
export { runConformance, type ConformanceTest } from './conformance.ts'
export type { FakeOptions, PluginFake, StartFake } from './testing/plugin-fake.ts'

// The one-call connector test set-up.
export {
  connectorTest, type ConnectorTest, type ConnectorTestOptions, type ConnectorTestSetup, type SetupOptions, type TeardownTest
} from './testing/connector-test.ts'

// The fake-vendor kit.
export {
  startFakeVendor, type FakeHandler, type FakeGuard, type FakeReply, type FakeRequest, type FakeVendor, type FakeVendorOptions,
  type InjectedFailure, type RouteOptions
} from './testing/fake-vendor.ts'
export { addOAuthEndpoint, type OAuthEndpoint, type OAuthEndpointOptions, type OAuthGrant, type OAuthRefusal } from './testing/oauth.ts'
export { linkOnCalledHost, nextLinkHeader, opaqueCursors, pageOf, type Cursors } from './testing/paging.ts'
