import type { Filter } from './ast.ts'
import { ScimFilterError } from './errors.ts'
import { Grammar } from './grammar.ts'

export interface ParseFilterOptions {
  /**
   * Read unquoted words in value position as strings (`userName sw O`), which the RFC forbids but
   * Microsoft's validator and Entra's documentation send. Default true; false is strict RFC.
   */
  allowUnquotedValues?: boolean
}

/** Parses a `filter` query parameter (RFC 7644 §3.4.2.2); throws ScimFilterError (invalidFilter). */
export function parseFilter (input: string, options: ParseFilterOptions = {}): Filter {
  const grammar = new Grammar(input, { allowUnquotedValues: options.allowUnquotedValues ?? true, ErrorClass: ScimFilterError })
  const filter = grammar.filter()
  grammar.end('"and", "or" or the end of the filter')
  return filter
}
