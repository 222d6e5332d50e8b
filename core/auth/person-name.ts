import { unstorableRule } from '../boundary/unstorable.ts'

/** As long as the register's name columns take. */
export const NAME_MAX_LENGTH = 255

// C0 and C1 controls (tab, line feed, NUL, escape…) and the Unicode line and paragraph separators:
// nothing a name is written with, and each breaks the lines and cells a name is shown in. Format
// characters (the zero-width joiners some scripts need) are allowed.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u

export interface NameParts { first_name: string, last_name: string | null }
export type NameErrors = Partial<Record<keyof NameParts, string>>

function problem (label: string, value: string, required: boolean): string | null {
  if (value === '') return required ? `Enter your ${label.toLowerCase()}.` : null
  if (value.length > NAME_MAX_LENGTH) return `${label} must be at most ${NAME_MAX_LENGTH} characters (it has ${value.length}).`
  if (CONTROL.test(value)) return `${label} must not contain control characters such as tabs or line breaks.`
  if (unstorableRule(value)) return `${label} must be valid Unicode text.`
  return null
}

/**
 * A person's name as they or an operator typed it: trimmed, the first name required, the last
 * optional, each within the length limit and free of control characters. The value, or a
 * message per field naming it and the rule.
 */
export function readName (first: unknown, last: unknown): { name: NameParts } | { errors: NameErrors } {
  const firstName = typeof first === 'string' ? first.trim() : ''
  const lastName = typeof last === 'string' ? last.trim() : ''
  const errors: NameErrors = {}
  const firstProblem = problem('First name', firstName, true)
  const lastProblem = problem('Last name', lastName, false)
  if (firstProblem) errors.first_name = firstProblem
  if (lastProblem) errors.last_name = lastProblem
  if (firstProblem || lastProblem) return { errors }
  return { name: { first_name: firstName, last_name: lastName || null } }
}
