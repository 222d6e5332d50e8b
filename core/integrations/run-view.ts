import type { RunRow } from './runs.ts'
import { ACTIVE } from './runs.ts'

const SHOWN_ERRORS = 20
const SHOWN_PREVIEW = 50

/** A run's state for the card's run area: polling while pending, then the outcome (and a sync's counts). */
export function runView (base: string, pluginId: string, run: RunRow) {
  const pending = ACTIVE.includes(run.status)
  const sync = run.kind === 'sync'
  const label = sync ? (run.dry_run ? 'Preview' : 'Sync') : 'Test'
  return {
    id: run.id,
    sync,
    dryRun: run.dry_run,
    label,
    pending,
    retrying: run.status === 'retry_scheduled',
    succeeded: run.status === 'succeeded',
    message: run.message ?? (run.status === 'succeeded' ? 'Connected.' : `The ${label.toLowerCase()} failed.`),
    counts: sync ? { written: run.created + run.updated, read: run.read, created: run.created, updated: run.updated, unchanged: run.unchanged, skipped: run.skipped, errors: run.errors, deleted: run.deleted } : null,
    errorDetails: (run.error_details ?? []).slice(0, SHOWN_ERRORS),
    moreErrors: Math.max(0, run.errors - SHOWN_ERRORS),
    preview: (run.preview ?? []).slice(0, SHOWN_PREVIEW).map(p => ({
      ...p,
      fields: Object.entries(p.changes).map(([field, c]) => ({ field, old: c.old, new: c.new }))
    })),
    morePreview: Math.max(0, (run.preview ?? []).length - SHOWN_PREVIEW),
    pollUrl: `${base}/${pluginId}/runs/${run.id}`
  }
}
