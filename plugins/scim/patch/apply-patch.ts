import { ScimError } from '../errors.ts'
import { cloneJson } from './clone.ts'
import { applyOperation } from './operations.ts'
import { readOperations } from './patch-body.ts'
import type { PatchTarget } from './target.ts'

/**
 * Applies a PatchOp body to a copy of the document and returns the copy; throws ScimError and
 * leaves the input untouched on any failure (all-or-nothing). The document has no `id` or `meta`.
 */
export function applyPatch (document: Record<string, unknown>, body: unknown, target: PatchTarget): Record<string, unknown> {
  const operations = readOperations(body)
  const patched = cloneJson(document)
  operations.forEach((operation, index) => {
    try {
      applyOperation(patched, operation, target)
    } catch (error) {
      if (!(error instanceof ScimError)) throw error
      throw new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.message}`)
    }
  })
  return patched
}
