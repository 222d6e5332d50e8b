import { escapeLike } from '../../db/index.ts'

const MAX_TERMS = 8

/** The words of a search box, each matched on its own (so word order does not matter); at most 8. */
export function searchTerms (q: string): string[] {
  return [...new Set(q.split(/\s+/).filter(Boolean))].slice(0, MAX_TERMS)
}

/**
 * The LIKE pattern "contains this word", wildcards in the word escaped. Compare it with
 * `lower(<text>) LIKE lower(?)`: with a pg_trgm GIN index on `lower(<text>)` (see
 * migrations/004_register_indexes.ts) that is an index search, not a scan.
 */
export function containsPattern (term: string): string {
  return `%${escapeLike(term)}%`
}
