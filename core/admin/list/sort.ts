export type Direction = 'asc' | 'desc'

/**
 * One stretch of a sort order: the rows `where` selects, ordered by `keys` and then the row id.
 * Keys are SQL expressions that are never null within the segment, and each segment should have
 * an index on (workspace_id, ...keys, id) so that a page is one index range. Rows whose sort value
 * is missing go in a later segment (e.g. `model IS NULL`, ordered by id alone), which keeps them
 * last in both directions.
 */
export interface SortSegment {
  /** Raw SQL (no bindings) that picks the segment's rows. */
  where?: string
  keys: string[]
  /**
   * The keys alone identify a row within the workspace (a unique index on them): the order leaves
   * the id tie-breaker out, so that index serves it without a sort step.
   */
  unique?: boolean
}

export interface SortOption {
  label: string
  segments: SortSegment[]
  /** The direction of a first click on the column (default asc). */
  defaultDir?: Direction
}

export type SortOptions<S extends string> = Record<S, SortOption>

export interface Sort<S extends string = string> {
  key: S
  dir: Direction
  option: SortOption
  /** The list's own order, which links leave out of the URL. */
  isDefault: boolean
}

const defaultDir = (option: SortOption): Direction => option.defaultDir ?? 'asc'

function text (value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v : ''
}

/** `sort` and `dir` from the URL, whitelisted: an unknown column is the default sort. */
export function parseSort<S extends string> (query: Record<string, unknown>, options: SortOptions<S>, fallback: S): Sort<S> {
  const asked = text(query.sort)
  const key = (Object.hasOwn(options, asked) ? asked : fallback) as S
  const option = options[key]
  const dirParam = text(query.dir)
  const dir: Direction = dirParam === 'asc' || dirParam === 'desc' ? dirParam : defaultDir(option)
  return { key, dir, option, isDefault: key === fallback && dir === defaultDir(options[fallback]) }
}

export interface SortHeader {
  label: string
  /** The list sorted by this column: the other direction when it is the current sort. */
  href: string
  /** For the column header's aria-sort. */
  ariaSort: 'ascending' | 'descending' | 'none'
}

/**
 * Column headers for a table, by sort key. `hrefFor` builds the link of a sort (the page keeps
 * its filters); the current column flips direction, another starts at its default direction.
 */
export function sortHeaders<S extends string> (options: SortOptions<S>, current: Sort<S>, hrefFor: (key: S, dir: Direction) => string): Record<S, SortHeader> {
  const headers = {} as Record<S, SortHeader>
  for (const key of Object.keys(options) as S[]) {
    const option = options[key]
    const isCurrent = key === current.key
    const dir = isCurrent ? (current.dir === 'asc' ? 'desc' : 'asc') : defaultDir(option)
    headers[key] = {
      label: option.label,
      href: hrefFor(key, dir),
      ariaSort: isCurrent ? (current.dir === 'asc' ? 'ascending' : 'descending') : 'none'
    }
  }
  return headers
}
