import type { SyntaxErrorClass } from './errors.ts'

export type TokenType = '(' | ')' | '[' | ']' | 'string' | 'word' | 'end'

export interface Token {
  type: TokenType
  /** The characters as written (for a string, with its quotes). */
  text: string
  /** A string token's decoded value. */
  value?: string
  /** 0-based offset of the first character. */
  position: number
  /** Whether whitespace comes right before this token. */
  spaced: boolean
}

/** A token as a message quotes it. */
export function describeToken (token: Token): string {
  if (token.type === 'end') return 'the end of the input'
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text
  return token.type === 'string' ? text : `"${text}"`
}

const PUNCTUATION = new Set(['(', ')', '[', ']'])
const WHITESPACE = /\s/
/** A word runs until whitespace, punctuation or a quote. */
const WORD = /[^\s()[\]"]+/y

/**
 * Splits a filter or path into tokens. Attribute paths, operators, keywords, numbers and unquoted
 * values are all words; the grammar decides what each one is by where it stands.
 */
export function tokenize (input: string, ErrorClass: SyntaxErrorClass): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (true) {
    const start = at
    while (at < input.length && WHITESPACE.test(input[at])) at++
    const spaced = at > start
    if (at >= input.length) {
      tokens.push({ type: 'end', text: '', position: at, spaced })
      return tokens
    }
    const char = input[at]
    if (PUNCTUATION.has(char)) {
      tokens.push({ type: char as TokenType, text: char, position: at, spaced })
      at++
    } else if (char === '"') {
      const token = readString(input, at, ErrorClass)
      tokens.push({ ...token, spaced })
      at += token.text.length
    } else {
      WORD.lastIndex = at
      const text = WORD.exec(input)![0]
      tokens.push({ type: 'word', text, position: at, spaced })
      at += text.length
    }
  }
}

/** A JSON string starting at `start` (RFC 8259 escapes). */
function readString (input: string, start: number, ErrorClass: SyntaxErrorClass): Omit<Token, 'spaced'> {
  let at = start + 1
  while (at < input.length && input[at] !== '"') at += input[at] === '\\' ? 2 : 1
  if (at >= input.length) throw new ErrorClass(`unterminated string starting at position ${start}`, start)
  const text = input.slice(start, at + 1)
  try {
    return { type: 'string', text, value: JSON.parse(text), position: start }
  } catch {
    throw new ErrorClass(`invalid string at position ${start}: only JSON escapes (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) are allowed and control characters must be escaped`, start)
  }
}
