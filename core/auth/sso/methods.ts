// The workspace's sign-in plugins and their methods (the sign-in page's buttons), and what a
// sign-in plugin is handed beside ctx. The core names no plugin: any connected plugin with the
// `signIn` capability takes part.
import type { FastifyInstance, FastifyBaseLogger } from 'fastify'
import type { DiscoveredPlugin } from '../../integrations/discovery.ts'
import { workspaceSecrets } from '../../integrations/plugin-page.ts'
import type { ConnectorContext } from '../../sdk/contract.ts'
import type { SignInCapability, SignInTools } from '../../sdk/sign-in.ts'
import { signInStartPath } from './paths.ts'

/** One button of the sign-in page. */
export interface SignInButton {
  pluginId: string
  method: string
  label: string
  /** The start path on the workspace's address (with `next` when there is one). */
  href: string
}

export interface SignInPlugin {
  plugin: DiscoveredPlugin
  signIn: SignInCapability<ConnectorContext>
}

/** The workspace's connected sign-in plugins: settings saved and enabled. */
export async function connectedSignInPlugins (app: FastifyInstance, workspaceId: string): Promise<SignInPlugin[]> {
  const cards = await app.integrations.cards(workspaceId)
  return cards.filter(c => c.connected && c.plugin.connector?.signIn !== undefined)
    .map(c => ({ plugin: c.plugin, signIn: c.plugin.connector!.signIn! }))
}

/** What a sign-in plugin uses beside ctx: its own tables and sealing with the workspace's key. */
export function signInTools (app: FastifyInstance, pluginId: string, workspaceId: string): SignInTools {
  return { db: app.pluginDb(pluginId), secrets: workspaceSecrets(app, workspaceId) }
}

/** A method key as the SDK allows it (part of the callback URL). */
export const METHOD_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/

/**
 * Every enabled method of the workspace, plugin by plugin (in the plugins' name order), each as
 * the plugin's `methods` lists them. A plugin that throws, or lists a key that is not allowed, is
 * left out and logged: the sign-in page never breaks for one plugin.
 */
export async function enabledSignInMethods (app: FastifyInstance, workspaceId: string, log: FastifyBaseLogger, next = '/'): Promise<SignInButton[]> {
  const buttons: SignInButton[] = []
  for (const { plugin, signIn } of await connectedSignInPlugins(app, workspaceId)) {
    try {
      const ctx = await app.integrations.contextFor(plugin.id, workspaceId)
      const methods = await signIn.methods(ctx, signInTools(app, plugin.id, workspaceId))
      for (const m of methods) {
        if (!METHOD_KEY.test(m.key) || typeof m.label !== 'string' || m.label.trim() === '') {
          log.warn({ plugin: plugin.id, method: String(m.key).slice(0, 80) }, 'a sign-in method with a key or label that is not allowed was left out')
          continue
        }
        const query = next === '/' ? '' : `?next=${encodeURIComponent(next)}`
        buttons.push({ pluginId: plugin.id, method: m.key, label: m.label.trim(), href: `${signInStartPath(plugin.id, m.key)}${query}` })
      }
    } catch (err) {
      log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, plugin: plugin.id }, 'a sign-in plugin could not list its methods; its buttons are left out')
    }
  }
  return buttons
}
