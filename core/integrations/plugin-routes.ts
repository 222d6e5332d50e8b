import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { InboundAuthentication } from '../sdk/directory.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { createDirectory } from './directory.ts'

const REFUSALS: Record<Exclude<InboundAuthentication, { ok: true }>['reason'], string> = {
  missing: 'Send the token as "Authorization: Bearer <token>".',
  malformed: 'The Authorization header is not "Bearer" and a token of this kind.',
  unknown: 'This token is not known: copy it whole, or create a new one.',
  expired: 'This token has expired: create a new one.',
  revoked: 'This token was revoked: create a new one.'
}

/** Where a plugin's routes live: the manifest's routesPrefix, else /integrations/<id>. */
export function routesPrefixOf (plugin: DiscoveredPlugin): string {
  return plugin.manifest.routesPrefix ?? `/integrations/${plugin.id}`
}

/**
 * Mounts every plugin's `routes` capability in a context of its own (its parsers and error
 * handler stay its own), with the workspace resolved from the plugin's kind of bearer token and
 * the register's people reachable only through a transaction bound to that token.
 */
export default fp<{ plugins: DiscoveredPlugin[] }>(async (app: FastifyInstance, opts) => {
  for (const plugin of opts.plugins) {
    const routes = plugin.connector?.routes
    if (!routes || plugin.manifest.status === 'coming-soon') continue
    const tokens = plugin.manifest.auth === 'scim-token' ? app.scimTokens : null
    await app.register(routes, {
      prefix: routesPrefixOf(plugin),
      contextFor: workspaceId => app.integrations.contextFor(plugin.id, workspaceId),
      async authenticate (authorization) {
        if (!tokens) return { ok: false, reason: 'unknown', message: `${plugin.manifest.name} takes no bearer tokens.` }
        const found = await tokens.authenticate(authorization)
        if (!found.ok) return { ok: false, reason: found.reason, message: REFUSALS[found.reason] }
        await tokens.touch(found.token)
        return { ok: true, token: { id: found.token.id, workspaceId: found.token.workspace_id, name: found.token.name } }
      },
      db: app.pluginDb(plugin.id),
      directory: createDirectory(app, plugin.manifest),
      setErrorShape: shape => app.errorShapes.add(routesPrefixOf(plugin), shape)
    })
  }
}, { name: 'plugin-routes', dependencies: ['db', 'integrations', 'api', 'register'] })
