import type { FilterValue } from './ast.ts'
import type { SyntaxErrorClass } from './errors.ts'
import { describeToken, type Token } from './tokens.ts'

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
/** ABNF literals are case-insensitive, so `True` is `true`. */
const LITERALS = new Map<string, FilterValue>([['true', true], ['false', false], ['null', null]])

/**
 * A comparison value: a JSON string, number, true, false or null. An unquoted word is read as a
 * string when `allowUnquoted` is set, which Microsoft's SCIM validator and Entra's documentation
 * need (`userName sw O`, `externalId eq jyoung`, `meta.created gt 2015-10-10T14:38:21-07:00`).
 */
export function readValue (token: Token, allowUnquoted: boolean, ErrorClass: SyntaxErrorClass): FilterValue {
  if (token.type === 'string') return token.value!
  if (token.type === 'word') {
    const literal = token.text.toLowerCase()
    if (LITERALS.has(literal)) return LITERALS.get(literal)!
    if (JSON_NUMBER.test(token.text)) {
      const number = Number(token.text)
      if (Number.isFinite(number)) return number
    }
    if (allowUnquoted) return token.text
  }
  throw new ErrorClass(`expected a value (a "quoted string", a number, true, false or null) at position ${token.position}, found ${describeToken(token)}`, token.position)
}
