import type { Actor } from '../audit/index.ts'
import { takeAssetTags } from './asset-tags.ts'
import type { RegisterContext } from './change.ts'
import { ValidationError } from './errors.ts'
import { datePairError } from './validate.ts'
import { assignHardware, recoverHardware } from './hardware-assign.ts'
import {
  HARDWARE, normaliseMac, normaliseSerial, validateHardware, validateHardwarePatch,
  type AssignOptions, type Hardware, type HardwareInput, type HardwarePatch, type HardwareStatus, type RecoverOptions
} from './hardware.schema.ts'
import { editRow, findRow, insertRow, page, type Page, type VersionCheck } from './records.ts'

export interface HardwareQuery extends Page { status?: HardwareStatus, assignedUserId?: string }

export type HardwareService = ReturnType<typeof hardwareService>

export function hardwareService ({ db, run }: RegisterContext) {
  return {
    /** Registers hardware; without an asset tag it gets the next one of the workspace convention. */
    async create (workspaceId: string, actor: Actor, input: HardwareInput): Promise<Hardware> {
      const values = validateHardware(input)
      checkWarranty(values)
      if (values.status) checkStatusChange('available', values.status)
      values.serial = normaliseSerial(values.serial)
      values.mac_address = normaliseMac(values.mac_address)
      return await run(workspaceId, actor, async trx => {
        const assetTag = values.asset_tag ?? (await takeAssetTags(trx, workspaceId))[0]
        const hardware = await insertRow(trx, HARDWARE, workspaceId, { ...values, asset_tag: assetTag }, { actor, action: 'hardware.created' })
        return {
          result: hardware,
          events: [{ type: 'hardware.created', payload: { ...hardware } }]
        }
      })
    },

    async update (workspaceId: string, actor: Actor, id: string, patch: HardwarePatch, opts: VersionCheck = {}): Promise<Hardware> {
      const values = validateHardwarePatch(patch)
      if (values.serial !== undefined) values.serial = normaliseSerial(values.serial)
      if (values.mac_address !== undefined) values.mac_address = normaliseMac(values.mac_address)
      return await run(workspaceId, actor, trx => editRow(trx, HARDWARE, workspaceId, id, values, opts.expectedVersion, {
        actor,
        action: 'hardware.updated',
        event: 'hardware.updated',
        check: (_trx, current, changed) => {
          checkWarranty({ ...current, ...changed })
          if (changed.status) checkStatusChange(current.status, changed.status)
        }
      }))
    },

    get: (workspaceId: string, id: string): Promise<Hardware> => findRow(db, HARDWARE, workspaceId, id),

    async list (workspaceId: string, query: HardwareQuery = {}): Promise<Hardware[]> {
      const rows = await page(db(HARDWARE.table).select(HARDWARE.columns).where({ workspace_id: workspaceId })
        .modify(q => {
          if (query.status) q.where({ status: query.status })
          if (query.assignedUserId) q.where({ assigned_user_id: query.assignedUserId })
        })
        .orderBy(['asset_tag', 'id']), query)
      return rows.map(HARDWARE.fromDb)
    },

    async assign (workspaceId: string, actor: Actor, id: string, userId: string, opts: AssignOptions = {}): Promise<Hardware> {
      return await run(workspaceId, actor, trx => assignHardware(trx, workspaceId, id, userId, opts))
    },

    async recover (workspaceId: string, actor: Actor, id: string, opts: RecoverOptions = {}): Promise<Hardware> {
      return await run(workspaceId, actor, trx => recoverHardware(trx, workspaceId, id, opts))
    }
  }
}

/** The warranty ends after the purchase (either may be unknown). */
function checkWarranty (values: Partial<Pick<Hardware, 'purchase_date' | 'warranty_end'>>): void {
  const error = datePairError(values, { field: 'purchase_date', label: 'purchase date' }, { field: 'warranty_end' })
  if (error !== null) throw new ValidationError([error])
}

/** `assigned` is entered by assign() and left by recover(), never by editing the status. */
function checkStatusChange (from: HardwareStatus, to: HardwareStatus): void {
  if (from === 'assigned') throw ValidationError.of('status', 'transition', `cannot go from assigned to ${to}: recover the hardware first`)
  if (to === 'assigned') throw ValidationError.of('status', 'transition', `cannot go from ${from} to assigned: assign the hardware to a person instead`)
}
