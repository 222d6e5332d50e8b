// What comes from a plugin or an identity provider, checked before it is used.
import type { SignInResult } from '../../sdk/sign-in.ts'
import { ROLES } from '../roles.ts'

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * Where start may send the browser: https, or http on the loopback address only (a provider run on
 * the same machine, as tests do). A plain-http provider elsewhere would expose the sign-in.
 */
export function acceptableProviderUrl (url: unknown): url is string {
  if (typeof url !== 'string' || !URL.canParse(url)) return false
  const parsed = new URL(url)
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))
}

/** The query (GET) or form (POST) as the contract hands it on: the first string value of each name. */
export function callbackParams (source: unknown): Record<string, string> {
  const params: Record<string, string> = {}
  if (typeof source !== 'object' || source === null) return params
  for (const [name, value] of Object.entries(source)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') params[name] = first
  }
  return params
}

/** Why a finish result does not keep the contract, or null. */
export function resultProblem (result: SignInResult): string | null {
  if (typeof result !== 'object' || result === null) return 'no result'
  if (result.ok === false) return typeof result.reason === 'string' && result.reason !== '' && typeof result.message === 'string' ? null : 'a failure without a reason and a message'
  if (result.ok !== true) return 'a result that is neither ok nor a failure'
  if (typeof result.identity !== 'object' || result.identity === null) return 'no identity'
  const policy = result.policy
  if (typeof policy !== 'object' || policy === null || typeof policy.createPeople !== 'boolean' || !Array.isArray(policy.roleMappings) || !ROLES.includes(policy.defaultRole)) return 'no policy'
  if (!policy.roleMappings.every(m => typeof m?.group === 'string' && ROLES.includes(m.role))) return 'a role mapping to a role that does not exist'
  return null
}
