import fp from 'fastify-plugin'
import type { DiscoveredPlugin } from './discovery.ts'
import { Integrations } from './service.ts'

export { Integrations } from './service.ts'
export type { IntegrationCard } from './service.ts'
export { RunActiveError, type RunRow } from './runs.ts'
export { discoverPlugins, PluginDiscoveryError, type DiscoveredPlugin } from './discovery.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The discovered plugins and, per workspace, their settings, runs and notifications. */
    integrations: Integrations
  }
}

export default fp<{ plugins: DiscoveredPlugin[], dispatcher?: unknown }>(async (app, opts) => {
  app.decorate('integrations', new Integrations(app, opts.plugins, opts.dispatcher))
}, { name: 'integrations', dependencies: ['db', 'secrets', 'jobs', 'events'] })
