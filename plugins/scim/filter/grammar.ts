import type { AttributePath, CompareOperator, Filter, PatchPath } from './ast.ts'
import type { SyntaxErrorClass } from './errors.ts'
import { checkName, clip, formatAttributePath, readAttributePath } from './attribute-path.ts'
import { describeToken, tokenize, type Token, type TokenType } from './tokens.ts'
import { readValue } from './values.ts'

export interface GrammarOptions {
  /** Read an unquoted word in value position as a string (see values.ts). */
  allowUnquotedValues: boolean
  ErrorClass: SyntaxErrorClass
}

const COMPARE_OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])
/** Parentheses and brackets nested deeper than this are refused before they exhaust the stack. */
export const MAX_NESTING = 32

/**
 * Recursive descent over RFC 7644's filter grammar, with its precedence: `not` binds tighter than
 * `and`, which binds tighter than `or`. One instance reads one input; the filter and PATCH path
 * parsers share every rule here.
 */
export class Grammar {
  private readonly tokens: Token[]
  private index = 0
  private nesting = 0
  /** The attribute whose value filter is being read, if inside brackets. */
  private bracketOf: AttributePath | null = null

  constructor (input: string, private readonly options: GrammarOptions) {
    this.tokens = tokenize(input, options.ErrorClass)
  }

  /** FILTER: or-separated terms of and-separated factors. */
  filter (): Filter {
    const filters = [this.conjunction()]
    while (this.atKeyword('or')) {
      this.index++
      filters.push(this.conjunction())
    }
    return filters.length === 1 ? filters[0] : { kind: 'or', filters }
  }

  /** A PATCH path: attrPath, or attrPath "[" valFilter "]" ["." subAttr]. */
  patchPath (): PatchPath {
    const path = this.attributePath('expected an attribute name')
    if (this.peek().type !== '[') return path
    const valueFilter = this.bracketed(path)
    const subAttribute = this.subAttributeAfterBracket()
    return subAttribute === undefined ? { ...path, valueFilter } : { ...path, valueFilter, subAttribute }
  }

  /** Fails unless every token was read; `expected` says what could have come instead. */
  end (expected: string): void {
    if (this.peek().type !== 'end') this.fail(`expected ${expected}`, this.peek())
  }

  private conjunction (): Filter {
    const filters = [this.factor()]
    while (this.atKeyword('and')) {
      this.index++
      filters.push(this.factor())
    }
    return filters.length === 1 ? filters[0] : { kind: 'and', filters }
  }

  private factor (): Filter {
    // `not` is the operator only when "(" follows: an attribute may be called "not".
    if (this.atKeyword('not') && this.tokens[this.index + 1].type === '(') {
      this.index++
      return { kind: 'not', filter: this.parenthesised() }
    }
    if (this.peek().type === '(') return this.parenthesised()
    return this.attributeExpression()
  }

  private parenthesised (): Filter {
    this.expect('(', '"("')
    this.enter()
    const filter = this.filter()
    this.expect(')', '"and", "or" or ")"')
    this.nesting--
    return filter
  }

  /** attrPath "pr", attrPath op value, a value path, or Entra's valuePath.subAttr op value. */
  private attributeExpression (): Filter {
    const path = this.attributePath('expected an attribute name, "(" or "not ("')
    if (this.peek().type !== '[') return this.comparison(path)
    const filter = this.bracketed(path)
    const subAttribute = this.subAttributeAfterBracket()
    if (subAttribute === undefined) return { kind: 'valuePath', path, filter }
    return { kind: 'valuePath', path, filter: { kind: 'and', filters: [filter, this.comparison({ attribute: subAttribute })] } }
  }

  private comparison (path: AttributePath): Filter {
    const token = this.next()
    const operator = token.type === 'word' ? token.text.toLowerCase() : ''
    if (operator === 'pr') return { kind: 'present', path }
    if (!COMPARE_OPERATORS.has(operator)) {
      this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "${clip(formatAttributePath(path))}"`, token)
    }
    const value = readValue(this.next(), this.options.allowUnquotedValues, this.options.ErrorClass)
    return { kind: 'compare', path, operator: operator as CompareOperator, value }
  }

  private attributePath (expected: string): AttributePath {
    const token = this.next()
    if (token.type !== 'word') {
      this.fail(this.bracketOf === null ? expected : `expected a sub-attribute of "${this.bracketOf.attribute}"`, token)
    }
    const path = readAttributePath(token.text, token.position, this.options.ErrorClass)
    if (this.bracketOf !== null && (path.schema !== undefined || path.subAttribute !== undefined)) {
      throw new this.options.ErrorClass(`inside "${this.bracketOf.attribute}[…]" name a sub-attribute of "${this.bracketOf.attribute}" alone, found "${clip(token.text)}" at position ${token.position}`, token.position)
    }
    return path
  }

  /** "[" valFilter "]" after `path`. */
  private bracketed (path: AttributePath): Filter {
    const open = this.next()
    if (this.bracketOf !== null) throw new this.options.ErrorClass(`a value filter cannot contain another value filter ("[" at position ${open.position})`, open.position)
    if (path.subAttribute !== undefined) {
      throw new this.options.ErrorClass(`a value filter follows an attribute, not a sub-attribute: "${clip(formatAttributePath(path))}[" at position ${open.position}`, open.position)
    }
    this.enter()
    this.bracketOf = path
    const filter = this.filter()
    this.expect(']', '"and", "or" or "]"')
    this.bracketOf = null
    this.nesting--
    return filter
  }

  /** The `.value` written right after "]", if any. */
  private subAttributeAfterBracket (): string | undefined {
    const token = this.peek()
    if (token.type !== 'word' || token.spaced || !token.text.startsWith('.')) return undefined
    this.index++
    const name = token.text.slice(1)
    checkName(name, token.position + 1, token.text, this.options.ErrorClass)
    return name
  }

  private enter (): void {
    if (++this.nesting > MAX_NESTING) {
      const token = this.tokens[this.index - 1]
      throw new this.options.ErrorClass(`nesting deeper than ${MAX_NESTING} levels at position ${token.position}`, token.position)
    }
  }

  private expect (type: TokenType, expected: string): Token {
    const token = this.next()
    if (token.type !== type) this.fail(`expected ${expected}`, token)
    return token
  }

  private atKeyword (keyword: string): boolean {
    const token = this.peek()
    return token.type === 'word' && token.text.toLowerCase() === keyword
  }

  private peek (): Token {
    return this.tokens[this.index]
  }

  private next (): Token {
    const token = this.tokens[this.index]
    if (token.type !== 'end') this.index++
    return token
  }

  private fail (expected: string, token: Token): never {
    throw new this.options.ErrorClass(`${expected} at position ${token.position}, found ${describeToken(token)}`, token.position)
  }
}
