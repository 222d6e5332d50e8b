interface PgError { code?: string, constraint?: string }

/** True when a query failed on a unique index; `constraint` narrows it to one index. */
export function isUniqueViolation (err: unknown, constraint?: string): boolean {
  const e = err as PgError
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint)
}

/**
 * True when PostgreSQL refused a value (SQLSTATE class 22, data exception: a NUL character
 * 22021, a date out of range 22008, a number out of range 22003, a malformed jsonb escape
 * 22P05…). Input should be stopped before it gets here; one that is not is the caller's 400, not a 500.
 */
export function isDataException (err: unknown): boolean {
  const code = (err as PgError)?.code
  return typeof code === 'string' && code.length === 5 && code.startsWith('22')
}
