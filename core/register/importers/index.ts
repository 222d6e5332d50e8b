import type { Model } from '../../sdk/records.ts'
import { deviceImporter } from './device.ts'
import { personImporter } from './person.ts'
import { seatImporter } from './seat.ts'
import type { Importer } from './types.ts'

export type { Importer, ImportSource, ImportedBatch, PlannedChange, UpsertOptions } from './types.ts'
export { inferCategory, deriveName } from './device-derive.ts'

/** The importer of each canonical model: what a sync's upserts and deletes are merged by. */
export const IMPORTERS: Record<Model, Importer<any>> = {
  device: deviceImporter,
  person: personImporter,
  seat: seatImporter
}
