import { LIST_RESPONSE } from '../schemas.ts'

/** A ListResponse holding every resource on one page (RFC 7644 §3.4.2). */
export function listResponse (resources: Array<Record<string, unknown>>): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources }
}
