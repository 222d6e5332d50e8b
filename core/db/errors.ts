interface PgError { code?: string, constraint?: string }

/** True when a query failed on a unique index; `constraint` narrows it to one index. */
export function isUniqueViolation (err: unknown, constraint?: string): boolean {
  const e = err as PgError
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint)
}

// Lives in core/boundary so that the SDK can export it without reaching core/db.
export { isDataException } from '../boundary/data-exception.ts'
