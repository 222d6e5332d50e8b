import type { Knex } from 'knex'
import type { Change } from './change.ts'
import { diff } from './changes.ts'
import { ValidationError } from './errors.ts'
import { HARDWARE, validateAssign, validateRecover, type AssignOptions, type Hardware, type RecoverOptions } from './hardware.schema.ts'
import { requirePerson } from './people.ts'
import { lockRow, targetOf, updateRow } from './records.ts'

const ASSIGNMENT_COLUMNS = ['id', 'user_id', 'assigned_at', 'recovered_at', 'note']

/**
 * Hands hardware to an active person of the workspace: the hardware becomes `assigned` and an
 * assignment row opens. Shared by hardware.assign() and by requests.fulfil(), in their transaction.
 */
export async function assignHardware (trx: Knex.Transaction, workspaceId: string, id: string, userId: string, opts: AssignOptions = {}): Promise<Change<Hardware>> {
  const { user_id: personId, note = null, acknowledged = false, expectedVersion } = validateAssign({ ...opts, user_id: userId })
  const current = await lockRow(trx, HARDWARE, workspaceId, id, expectedVersion)
  if (current.status === 'assigned') {
    throw ValidationError.of('status', 'transition', `${current.asset_tag} is already assigned; recover it before assigning it again`)
  }
  if (current.status === 'retired' || current.status === 'lost') {
    throw ValidationError.of('status', 'transition', `cannot go from ${current.status} to assigned`)
  }
  const person = await requirePerson(trx, workspaceId, personId, 'user_id', true)
  const hardware = await updateRow(trx, HARDWARE, workspaceId, id, {
    status: 'assigned',
    assigned_user_id: person.id,
    assigned_at: trx.fn.now(),
    acknowledged_at: acknowledged ? trx.fn.now() : null,
    acknowledgement_note: acknowledged ? note : null
  })
  const [assignment] = await trx('hardware_assignments')
    .insert({ workspace_id: workspaceId, hardware_id: id, user_id: person.id, note })
    .returning(ASSIGNMENT_COLUMNS)
  const changes = diff(current, { status: hardware.status, assigned_user_id: hardware.assigned_user_id })
  return {
    result: hardware,
    audit: [{ action: 'hardware.assigned', target: targetOf(HARDWARE, hardware), changes, details: { user_id: person.id, email: person.email, note, acknowledged } }],
    events: [{ type: 'hardware.assigned', payload: { ...hardware, assignment, user: person, changes } }]
  }
}

/** Takes hardware back: closes the open assignment and makes it available (in a new condition, if given). */
export async function recoverHardware (trx: Knex.Transaction, workspaceId: string, id: string, opts: RecoverOptions = {}): Promise<Change<Hardware>> {
  const { condition, note = null, expectedVersion } = validateRecover(opts)
  const current = await lockRow(trx, HARDWARE, workspaceId, id, expectedVersion)
  if (current.status !== 'assigned') {
    throw ValidationError.of('status', 'transition', `${current.asset_tag} is not assigned (it is ${current.status}), so there is nothing to recover`)
  }
  const [assignment] = await trx('hardware_assignments')
    .where({ workspace_id: workspaceId, hardware_id: id }).whereNull('recovered_at')
    .update({ recovered_at: trx.fn.now(), note: trx.raw("concat_ws(E'\\n', note, ?::text)", [note]) })
    .returning(ASSIGNMENT_COLUMNS)
  const hardware = await updateRow(trx, HARDWARE, workspaceId, id, {
    status: 'available',
    assigned_user_id: null,
    assigned_at: null,
    acknowledged_at: null,
    acknowledgement_note: null,
    ...(condition ? { condition } : {})
  })
  const changes = diff(current, { status: hardware.status, assigned_user_id: null, condition: hardware.condition })
  return {
    result: hardware,
    audit: [{ action: 'hardware.recovered', target: targetOf(HARDWARE, hardware), changes, details: { user_id: current.assigned_user_id, note } }],
    events: [{ type: 'hardware.recovered', payload: { ...hardware, assignment: assignment ?? null, changes } }]
  }
}
