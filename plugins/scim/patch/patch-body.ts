// Reads a PatchOp request body (RFC 7644 §3.5.2) into operations, refusing malformed ones.
import { ScimError } from '../errors.ts'
import { PATCH_OP } from '../schemas.ts'
import { isObject, type JsonObject } from './json.ts'
import { assertAllowedKeys, readAttribute, sameName } from './names.ts'

export type OperationName = 'add' | 'replace' | 'remove'

export interface PatchOperation {
  op: OperationName
  /** Absent when the operation has none (or an empty one). */
  path?: string
  /** undefined when the operation has no value. */
  value: unknown
}

const OPERATION_NAMES = new Set<string>(['add', 'replace', 'remove'])

/**
 * The body's operations. Lenient where clients differ: `op` in any case (Entra sends "Replace"),
 * member names in any case, `schemas` may be absent, extra members (Microsoft's "name", "id") are
 * ignored.
 */
export function readOperations (body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('the body must be a JSON object with "Operations"')
  checkSchemas(readAttribute(body, 'schemas'))
  const operations = readAttribute(body, 'Operations')
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('"Operations" must be a non-empty array of operations')
  }
  return operations.map((operation, index) => readOperation(operation, index))
}

function checkSchemas (schemas: unknown): void {
  if (schemas === undefined) return
  if (!Array.isArray(schemas) || !schemas.some(urn => typeof urn === 'string' && sameName(urn, PATCH_OP))) {
    throw invalidSyntax(`"schemas" must contain "${PATCH_OP}"`)
  }
}

function readOperation (operation: unknown, index: number): PatchOperation {
  if (!isObject(operation)) throw invalidSyntax(`Operations[${index}] must be an object with "op"`)
  const op = readAttribute(operation, 'op')
  if (typeof op !== 'string' || !OPERATION_NAMES.has(op.toLowerCase())) {
    throw invalidSyntax(`Operations[${index}]: "op" must be "add", "replace" or "remove", found ${describe(op)}`)
  }
  const name = op.toLowerCase() as OperationName
  const path = readPath(operation, index)
  const value = readAttribute(operation, 'value')
  if (name !== 'remove' && value === undefined) {
    throw new ScimError(400, 'invalidValue', `Operations[${index}]: "${name}" needs a "value"`)
  }
  try {
    assertAllowedKeys(value)
  } catch (error) {
    throw error instanceof ScimError ? new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.message}`) : error
  }
  return path === undefined ? { op: name, value } : { op: name, path, value }
}

/** null and "" count as no path: clients send them for a no-path operation. */
function readPath (operation: JsonObject, index: number): string | undefined {
  const path = readAttribute(operation, 'path')
  if (path === undefined || path === null || (typeof path === 'string' && path.trim() === '')) return undefined
  if (typeof path !== 'string') throw new ScimError(400, 'invalidPath', `Operations[${index}]: "path" must be a string, found ${describe(path)}`)
  return path
}

function describe (value: unknown): string {
  if (value === undefined) return 'none'
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

function invalidSyntax (message: string): ScimError {
  return new ScimError(400, 'invalidSyntax', message)
}
