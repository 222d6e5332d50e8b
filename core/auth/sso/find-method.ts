// The plugin and method a start, callback or continuation URL names, when the workspace has it
// enabled now (a method switched off in between finishes nothing).
import type { FastifyInstance, FastifyBaseLogger } from 'fastify'
import type { SignInTools } from '../../sdk/sign-in.ts'
import type { ConnectorContext } from '../../sdk/contract.ts'
import { connectedSignInPlugins, METHOD_KEY, signInTools, type SignInPlugin } from './methods.ts'

export interface FoundMethod extends SignInPlugin {
  method: string
  ctx: ConnectorContext
  tools: SignInTools
}

export type MethodLookup = { found: FoundMethod } | { missing: true } | { error: Error }

export async function findMethod (app: FastifyInstance, workspaceId: string, pluginId: string, method: string, log: FastifyBaseLogger): Promise<MethodLookup> {
  if (!METHOD_KEY.test(method)) return { missing: true }
  const entry = (await connectedSignInPlugins(app, workspaceId)).find(p => p.plugin.id === pluginId)
  if (entry === undefined) return { missing: true }
  try {
    const ctx = await app.integrations.contextFor(pluginId, workspaceId)
    const tools = signInTools(app, pluginId, workspaceId)
    const methods = await entry.signIn.methods(ctx, tools)
    if (!methods.some(m => m.key === method)) return { missing: true }
    return { found: { ...entry, method, ctx, tools } }
  } catch (err) {
    log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, plugin: pluginId }, 'a sign-in plugin could not list its methods')
    return { error: err as Error }
  }
}
