import type { FastifyInstance } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { SCIM_ACTOR } from '../audit/types.ts'
import { PEOPLE, ValidationError, asValidationError, peopleService, runIn, type Person } from '../register/index.ts'
import type { Directory, DirectoryPeople, DirectoryPerson, DirectoryTransaction, InboundToken } from '../sdk/directory.ts'
import { searchCoreSchema, searchPluginSchema } from '../db/plugin-schema.ts'
import type { PluginManifest } from './manifest.ts'

const toDirectoryPerson = ({ workspace_id: _ws, source_ids: _ids, ...person }: Person): DirectoryPerson => person

/** Who an inbound plugin's writes are audited as: the token, under the protocol's name. */
function inboundActor (manifest: PluginManifest, token: InboundToken, requestId: string): Actor {
  const scim = manifest.auth === 'scim-token'
  return { type: scim ? SCIM_ACTOR : 'plugin', id: token.id, label: `${scim ? 'SCIM' : manifest.name} token "${token.name}"`, requestId }
}

/** Each method of `methods` passed through `wrap`. */
function wrapEach<M extends object> (methods: M, wrap: <A extends unknown[], R>(method: (...args: A) => Promise<R>) => (...args: A) => Promise<R>): M {
  return Object.fromEntries(Object.entries(methods).map(([name, method]) => [name, wrap(method)])) as M
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
export async function directoryTransaction<T> (app: FastifyInstance, pluginId: string, workspaceId: string, actor: Actor, work: (tx: DirectoryTransaction) => Promise<T>, opts: { mayChangeRoles?: boolean } = {}): Promise<T> {
  const mayChangeRoles = opts.mayChangeRoles ?? true
  try {
    return await app.db.transaction(async trx => {
      const register = peopleService({ db: trx, run: runIn(app, trx) })
      // The plugin's statements search its own schema only; the register's run with the core's,
      // switching back once they are done, also after a refusal the plugin may catch and go on.
      // After a failed statement the transaction is aborted and the switch back fails too: the
      // statement's own error is the one to report.
      const asRegister = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
        await searchCoreSchema(trx)
        let result: R
        try {
          result = await method(...args)
        } catch (err) {
          await searchPluginSchema(trx, pluginId).catch(() => {})
          throw err
        }
        await searchPluginSchema(trx, pluginId)
        return result
      }
      const people: DirectoryPeople = wrapEach({
        get: async id => toDirectoryPerson(await register.get(workspaceId, id)),
        async getMany (ids) {
          if (ids.length === 0) return []
          const rows = await trx(PEOPLE.table).select(PEOPLE.columns).where({ workspace_id: workspaceId }).whereIn('id', [...new Set(ids)])
          return rows.map(row => toDirectoryPerson(PEOPLE.fromDb(row)))
        },
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
      }, asRegister)
      await searchPluginSchema(trx, pluginId)
      return await work({ db: trx, people })
    })
  } catch (err) {
    throw asValidationError(err) ?? err
  }
}

/** An inbound plugin's directory: each transaction in the workspace of the request's token, audited as it. */
export function createDirectory (app: FastifyInstance, manifest: PluginManifest): Directory {
  return {
    transaction: async (token, requestId, work) => await directoryTransaction(app, manifest.id, token.workspaceId, inboundActor(manifest, token, requestId), work)
  }
}
