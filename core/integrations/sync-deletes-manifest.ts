// The manifest's rules for `trackDeletes` on a sync, and which models a plugin tracks deletes of.
import type { Model } from '../sdk/records.ts'

interface DeclaredSync { id: string, model: Model, mode: 'full' | 'incremental', trackDeletes?: boolean }

/**
 * Only a full sync reads every record; devices are never removed; and a model's removals are what
 * none of its syncs saw, so when one sync of a model tracks deletes, all of that model's must.
 */
export function trackDeletesProblems (syncs: DeclaredSync[]): Array<{ field: string, message: string }> {
  const problems: Array<{ field: string, message: string }> = []
  for (const [i, sync] of syncs.entries()) {
    if (sync.trackDeletes !== true) {
      if (syncs.some(s => s.model === sync.model && s.trackDeletes === true)) {
        problems.push({ field: `/syncs/${i}/trackDeletes`, message: `must be true: another sync of model ${sync.model} tracks deletes, and removals are the records none of them saw` })
      }
      continue
    }
    if (sync.model === 'device') {
      problems.push({ field: `/syncs/${i}/trackDeletes`, message: 'is not allowed for devices: a device an MDM forgets is not a retired asset' })
    } else if (sync.mode !== 'full') {
      problems.push({ field: `/syncs/${i}/trackDeletes`, message: 'needs mode "full": an incremental sync does not read every record' })
    }
  }
  return problems
}

/** The models whose records a plugin's full syncs remove when a run no longer sees them. */
export function trackedModels (syncs: DeclaredSync[] | undefined): Model[] {
  return [...new Set((syncs ?? []).filter(s => s.trackDeletes === true && s.mode === 'full' && s.model !== 'device').map(s => s.model))]
}
