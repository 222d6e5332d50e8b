import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { findWorkspaceBySlug, soleWorkspace, type Workspace } from './workspaces.ts'

export * from './workspaces.ts'

declare module 'fastify' {
  interface FastifyRequest {
    workspace: Workspace
  }
}

export class NoWorkspaceError extends Error {
  statusCode = 404
  constructor (host: string) { super(`No workspace is served at ${host}`) }
}

/**
 * Resolves the workspace of a page request from its host: `<slug>.<base domain>`, or the only
 * workspace when the bare host is used. Registered inside the page routes' context only; the API
 * and SCIM resolve the workspace from their tokens instead.
 */
export default fp<{ baseDomain: string }>(async (app, opts) => {
  app.decorateRequest('workspace', null as unknown as Workspace)
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const host = request.hostname.replace(/:\d+$/, '').toLowerCase()
    const suffix = `.${opts.baseDomain}`
    const workspace = host.endsWith(suffix)
      ? await findWorkspaceBySlug(app.db, host.slice(0, -suffix.length))
      : await soleWorkspace(app.db)
    if (!workspace) throw new NoWorkspaceError(host)
    request.workspace = workspace
  })
}, { name: 'tenancy', dependencies: ['db'] })
