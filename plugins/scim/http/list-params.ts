import { LIST_RESPONSE } from '../schemas.ts'

export const MAX_RESULTS = 200
const DEFAULT_COUNT = 100

export interface ListQuery { filter?: string, startIndex?: string, count?: string, attributes?: string, excludedAttributes?: string }

const integer = (text: string | undefined): number | null => (text !== undefined && /^-?\d{1,9}$/.test(text.trim()) ? Number(text) : null)

/** startIndex is 1-based (less than 1 is 1); count is capped at maxResults (less than 0 is 0), RFC 7644 §3.4.2.4. */
export function listWindow (query: ListQuery): { startIndex: number, count: number } {
  const startIndex = Math.max(1, integer(query.startIndex) ?? 1)
  const count = Math.min(MAX_RESULTS, Math.max(0, integer(query.count) ?? DEFAULT_COUNT))
  return { startIndex, count }
}

export function listResponse (total: number, startIndex: number, resources: unknown[]) {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources }
}
