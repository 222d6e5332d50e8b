import type { PatchPath } from './ast.ts'
import { ScimPathError } from './errors.ts'
import { Grammar } from './grammar.ts'
import type { ParseFilterOptions } from './parse-filter.ts'

/**
 * Parses a PATCH operation's `path` (RFC 7644 §3.5.2): `name`, `name.sub`, `urn:…:name`,
 * `name[filter]` and `name[filter].sub`; throws ScimPathError (invalidPath). Also reads the
 * entries of `attributes` / `excludedAttributes`, which use the same form.
 */
export function parsePath (input: string, options: ParseFilterOptions = {}): PatchPath {
  const grammar = new Grammar(input, { allowUnquotedValues: options.allowUnquotedValues ?? true, ErrorClass: ScimPathError })
  const path = grammar.patchPath()
  grammar.end('the end of the path')
  return path
}
