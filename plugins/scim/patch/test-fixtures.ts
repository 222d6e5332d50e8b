// Documents, targets and helpers shared by this folder's tests.
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../schemas.ts'
import { applyPatch, type PatchTarget } from './index.ts'

export { ENTERPRISE_SCHEMA, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA }

export const USER_ID = '2819c223-7f76-453a-919d-413861904646'
export const GROUP_ID = 'e9e30dba-f08f-4109-8486-d5c6a331660a'
export const userTarget: PatchTarget = { coreSchema: USER_SCHEMA, extensions: [ENTERPRISE_SCHEMA], id: USER_ID }
export const groupTarget: PatchTarget = { coreSchema: GROUP_SCHEMA, extensions: [], id: GROUP_ID }

export function user (): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' }
    ],
    active: true,
    title: 'Tour Guide',
    [ENTERPRISE_SCHEMA]: { department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } }
  }
}

export function group (...memberIds: string[]): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    displayName: 'Tour Guides',
    members: memberIds.map(value => ({ value, display: `User ${value}` }))
  }
}

export function body (...operations: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations }
}

export function patchUser (document: Record<string, unknown>, ...operations: unknown[]): Record<string, unknown> {
  return applyPatch(document, body(...operations), userTarget)
}

export function patchGroup (document: Record<string, unknown>, ...operations: unknown[]): Record<string, unknown> {
  return applyPatch(document, body(...operations), groupTarget)
}

export function emailsOf (document: Record<string, unknown>): Array<Record<string, unknown>> {
  return document.emails as Array<Record<string, unknown>>
}

/** The error `run` throws (undefined if none). */
export function errorOf (run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}
