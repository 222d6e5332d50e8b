import { decodeCursor, type Cursor } from './keyset.ts'
import { parseSort, type Sort, type SortOptions } from './sort.ts'
import { searchTerms } from './search.ts'

/** A querystring as Fastify hands it over: a repeated parameter arrives as an array. */
export type RawQuery = Record<string, unknown>

/** How one filter parameter is read: free text up to `max` characters, or one of fixed `values`. */
export type FilterSpec =
  | { kind: 'text', max: number }
  | { kind: 'choice', values: readonly string[] }

export interface ListSpec<F extends string, S extends string> {
  filters: Record<F, FilterSpec>
  sorts: SortOptions<S>
  defaultSort: S
  /** The search box (parameter `q`) and its longest accepted text; leave out for a list without one. */
  search?: { max: number }
}

export interface ListQuery<F extends string, S extends string> {
  /** The filters given, as typed (also the invalid ones, so the form shows them again). */
  filters: Partial<Record<F, string>>
  q: string
  /** `q` split into words; a row must match every one. */
  terms: string[]
  sort: Sort<S>
  /** Where the page starts; null for the first page or a cursor of another sort. */
  cursor: Cursor | null
  /** Inline messages by parameter name (`q` for the search box). */
  errors: Partial<Record<F | 'q', string>>
  invalid: boolean
  /** Filters, search and sort as URL parameters, without the cursor: the base of every link. */
  params: URLSearchParams
}

/** The first value of a parameter, trimmed; '' when absent or not text. */
export function first (value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * Reads filters, search, sort and cursor from a querystring. Values are checked here rather than
 * by a route schema, so a mistake comes back as a message beside its field instead of a bare 400;
 * unknown parameters and a damaged cursor are ignored.
 */
export function parseListQuery<F extends string, S extends string> (raw: RawQuery, spec: ListSpec<F, S>): ListQuery<F, S> {
  const filters: Partial<Record<F, string>> = {}
  const errors: Partial<Record<F | 'q', string>> = {}
  const params = new URLSearchParams()
  for (const [name, filter] of Object.entries(spec.filters) as Array<[F, FilterSpec]>) {
    const value = first(raw[name])
    if (!value) continue
    filters[name] = value
    params.set(name, value)
    if (filter.kind === 'text' && value.length > filter.max) errors[name] = `Use at most ${filter.max} characters.`
    if (filter.kind === 'choice' && !filter.values.includes(value)) errors[name] = 'Choose one of the listed values.'
  }
  const q = spec.search ? first(raw.q) : ''
  if (q) params.set('q', q)
  if (spec.search && q.length > spec.search.max) errors.q = `Search with at most ${spec.search.max} characters.`
  const sort = parseSort(raw, spec.sorts, spec.defaultSort)
  if (!sort.isDefault) {
    params.set('sort', sort.key)
    params.set('dir', sort.dir)
  }
  return {
    filters,
    q,
    terms: searchTerms(q),
    sort,
    cursor: decodeCursor(first(raw.after), sort),
    errors,
    invalid: Object.keys(errors).length > 0,
    params
  }
}

/** `path?params&extra`, leaving out empty values: for next-page, sort and export links. */
export function listHref (path: string, params: URLSearchParams, extra: Record<string, string | null | undefined> = {}): string {
  const all = new URLSearchParams(params)
  for (const [name, value] of Object.entries(extra)) {
    if (value) all.set(name, value)
    else all.delete(name)
  }
  const query = all.toString()
  return query ? `${path}?${query}` : path
}
