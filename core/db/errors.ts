interface PgError { code?: string, constraint?: string }

/** True when a query failed on a unique index; `constraint` narrows it to one index. */
export function isUniqueViolation (err: unknown, constraint?: string): boolean {
  const e = err as PgError
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint)
}
