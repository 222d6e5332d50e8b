import type { FastifyInstance } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { SCIM_ACTOR } from '../audit/types.ts'
import { PEOPLE, ValidationError, asValidationError, peopleService, runIn, type Person } from '../register/index.ts'
import type { Directory, DirectoryPeople, DirectoryPerson, DirectoryTransaction, InboundToken } from '../sdk/directory.ts'
import type { PluginManifest } from './manifest.ts'

const toDirectoryPerson = ({ workspace_id: _ws, source_ids: _ids, ...person }: Person): DirectoryPerson => person

/** Who an inbound plugin's writes are audited as: the token, under the protocol's name. */
function inboundActor (manifest: PluginManifest, token: InboundToken, requestId: string): Actor {
  const scim = manifest.auth === 'scim-token'
  return { type: scim ? SCIM_ACTOR : 'plugin', id: token.id, label: `${scim ? 'SCIM' : manifest.name} token "${token.name}"`, requestId }
}

/** Refused role changes: the signed-in admin behind a page action may not give roles. */
function refuseRoleChange (): never {
  throw ValidationError.of('role', 'super_admin_only', 'Only a super admin can change roles, so this action cannot give one.')
}

/**
 * The register's people bound to one transaction, one workspace and one actor: the plugin's own
 * writes and the register's (with their audit entries and events) commit together. `mayChangeRoles`
 * is false when the actor could not change a role themself (a page action of an admin who is not a
 * super admin): what a plugin does on someone's behalf never exceeds what they may do.
 */
export async function directoryTransaction<T> (app: FastifyInstance, workspaceId: string, actor: Actor, work: (tx: DirectoryTransaction) => Promise<T>, opts: { mayChangeRoles?: boolean } = {}): Promise<T> {
  const mayChangeRoles = opts.mayChangeRoles ?? true
  try {
    return await app.db.transaction(async trx => {
      const register = peopleService({ db: trx, run: runIn(app, trx) })
      const people: DirectoryPeople = {
        get: async id => toDirectoryPerson(await register.get(workspaceId, id)),
        async findByEmail (email) {
          const row = await trx(PEOPLE.table).select(PEOPLE.columns).where({ workspace_id: workspaceId }).whereRaw('lower(email) = lower(?)', [email]).first()
          return row ? toDirectoryPerson(PEOPLE.fromDb(row)) : null
        },
        create: async fields => toDirectoryPerson(await register.create(workspaceId, actor, fields)),
        async createIfEmailFree (fields) {
          const person = await register.createIfEmailFree(workspaceId, actor, fields)
          return person && toDirectoryPerson(person)
        },
        update: async (id, fields) => toDirectoryPerson(await register.update(workspaceId, actor, id, fields)),
        offboard: async id => toDirectoryPerson((await register.offboard(workspaceId, actor, id)).person),
        reactivate: async id => toDirectoryPerson(await register.reactivate(workspaceId, actor, id)),
        changeRole: async (id, role) => mayChangeRoles ? toDirectoryPerson(await register.changeRole(workspaceId, actor, id, role)) : refuseRoleChange()
      }
      return await work({ db: trx, people })
    })
  } catch (err) {
    throw asValidationError(err) ?? err
  }
}

/** An inbound plugin's directory: each transaction in the workspace of the request's token, audited as it. */
export function createDirectory (app: FastifyInstance, manifest: PluginManifest): Directory {
  return {
    transaction: async (token, requestId, work) => await directoryTransaction(app, token.workspaceId, inboundActor(manifest, token, requestId), work)
  }
}
