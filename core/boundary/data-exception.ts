/**
 * True when PostgreSQL refused a value (SQLSTATE class 22, data exception: a NUL character
 * 22021, a date out of range 22008, a number out of range 22003, a malformed jsonb escape
 * 22P05…). Input should be stopped before it gets here; one that is not is the caller's 400, not a 500.
 */
export function isDataException (err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && code.length === 5 && code.startsWith('22')
}
