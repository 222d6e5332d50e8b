import type { Knex } from 'knex'
import type { Actor } from '../audit/index.ts'
import type { EventType } from '../events/index.ts'
import type { Change, RegisterContext } from './change.ts'
import { diff } from './changes.ts'
import { ConflictError, NotFoundError, ValidationError } from './errors.ts'
import { assignHardware } from './hardware-assign.ts'
import { requirePerson } from './people.ts'
import { findRow, insertRow, lockRow, page, targetOf, updateRow, type Page, type VersionCheck } from './records.ts'
import {
  REQUESTS, TRANSITIONS, validateHardwareId, validateRejection, validateRequest,
  type AssetRequest, type RequestInput, type RequestStatus
} from './requests.schema.ts'

interface MoveOptions extends VersionCheck {
  /** Only this person's request may move (a withdrawal). */
  requesterId?: string
}

export interface RequestQuery extends Page { status?: RequestStatus, requesterId?: string }

export type RequestsService = ReturnType<typeof requestsService>

/** Asset requests: created by a person, then approved or rejected, and fulfilled by assigning hardware. */
export function requestsService ({ db, run }: RegisterContext) {
  /** Moves a request to `to` if its status allows, stamping who decided or when fulfilled; `extra` adds writes. */
  const move = (workspaceId: string, actor: Actor, id: string, to: keyof typeof TRANSITIONS, values: object, opts: MoveOptions,
    extra?: (trx: Knex.Transaction, request: AssetRequest) => Promise<Change<unknown>>) =>
    run(workspaceId, actor, async trx => {
      const current = await lockRow(trx, REQUESTS, workspaceId, id)
      // Someone else's request is as missing as an unknown id, whatever its status or version.
      if (opts.requesterId !== undefined && current.requester_id !== opts.requesterId) throw new NotFoundError(REQUESTS.noun, id)
      if (opts.expectedVersion !== undefined && current.version !== opts.expectedVersion) throw new ConflictError(REQUESTS.noun)
      if (!TRANSITIONS[to].includes(current.status)) {
        throw ValidationError.of('status', 'transition', `cannot go from ${current.status} to ${to}`)
      }
      const before = extra ? await extra(trx, current) : { audit: [], events: [] }
      const stamps = to === 'fulfilled'
        ? { fulfilled_at: trx.fn.now() }
        : { decided_by: decidedBy(trx, workspaceId, actor), decided_at: trx.fn.now() }
      const request = await updateRow(trx, REQUESTS, workspaceId, id, { status: to, ...stamps, ...values })
      const changes = diff(current, { status: request.status, ...pick(request, Object.keys(values)) })
      const type = `asset_request.${to}` as EventType
      return {
        result: request,
        audit: [...before.audit ?? [], { action: type, target: targetOf(REQUESTS, request), changes }],
        events: [...before.events ?? [], { type, payload: { ...request, changes } }]
      }
    })

  return {
    async create (workspaceId: string, actor: Actor, input: RequestInput): Promise<AssetRequest> {
      const values = validateRequest(input)
      return await run(workspaceId, actor, async trx => {
        await requirePerson(trx, workspaceId, values.requester_id, 'requester_id', true)
        const request = await insertRow(trx, REQUESTS, workspaceId, values, { actor, action: 'asset_request.created' })
        return {
          result: request,
          events: [{ type: 'asset_request.created', payload: { ...request } }]
        }
      })
    },

    approve: (workspaceId: string, actor: Actor, id: string, opts: VersionCheck = {}): Promise<AssetRequest> =>
      move(workspaceId, actor, id, 'approved', {}, opts),

    async reject (workspaceId: string, actor: Actor, id: string, reason: string, opts: VersionCheck = {}): Promise<AssetRequest> {
      const { reason: rejection } = validateRejection({ reason })
      return await move(workspaceId, actor, id, 'rejected', { rejection_reason: rejection }, opts)
    },

    /** Assigns the hardware to the requester (the hardware's own rules apply) and closes the request. */
    async fulfil (workspaceId: string, actor: Actor, id: string, hardwareId: string, opts: VersionCheck = {}): Promise<AssetRequest> {
      const { hardware_id: hardware } = validateHardwareId({ hardware_id: hardwareId })
      return await move(workspaceId, actor, id, 'fulfilled', { fulfilled_hardware_id: hardware }, opts,
        async (trx, request) => {
          try {
            return await assignHardware(trx, workspaceId, hardware, request.requester_id, { note: `Fulfils the ${request.category} request` })
          } catch (err) {
            if (err instanceof NotFoundError) throw ValidationError.of('hardware_id', 'exists', 'must be hardware in this workspace')
            throw err
          }
        })
    },

    /**
     * The requester takes back their own open request (created or approved): someone else's is a
     * NotFoundError, a closed one a ValidationError on status. Audited, with its event.
     */
    withdraw: (workspaceId: string, actor: Actor, id: string, requesterId: string, opts: VersionCheck = {}): Promise<AssetRequest> =>
      move(workspaceId, actor, id, 'withdrawn', {}, { ...opts, requesterId }),

    get: (workspaceId: string, id: string): Promise<AssetRequest> => findRow(db, REQUESTS, workspaceId, id),

    async list (workspaceId: string, query: RequestQuery = {}): Promise<AssetRequest[]> {
      const rows = await page(db(REQUESTS.table).select(REQUESTS.columns).where({ workspace_id: workspaceId })
        .modify(q => {
          if (query.status) q.where({ status: query.status })
          if (query.requesterId) q.where({ requester_id: query.requesterId })
        })
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]), query)
      return rows.map(REQUESTS.fromDb)
    }
  }
}

/** The deciding person, when the actor is a person of this workspace (a token or the system leaves it empty). */
function decidedBy (trx: Knex.Transaction, workspaceId: string, actor: Actor): Knex.Raw | null {
  if (actor.type !== 'user' || !actor.id) return null
  return trx.raw('(SELECT id FROM users WHERE workspace_id = ? AND id::text = ?)', [workspaceId, actor.id])
}

function pick (row: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map(key => [key, (row as Record<string, unknown>)[key]]))
}
