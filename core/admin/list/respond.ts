import type { FastifyReply, FastifyRequest } from 'fastify'
import { tableColumns, type Column } from './columns.ts'
import type { Page } from './keyset.ts'
import { listHref, type ListQuery, type ListSpec } from './query.ts'
import { sortHeaders } from './sort.ts'

/** The links around one page of a list: back to the first page, the next page, and the export. */
export function pageLinks (path: string, list: ListQuery<string, string>, next: string | null, exportPath?: string) {
  return {
    paged: list.cursor !== null,
    firstUrl: listHref(path, list.params),
    nextUrl: next ? listHref(path, list.params, { after: next }) : null,
    csvUrl: exportPath ? listHref(exportPath, list.params) : null
  }
}

/**
 * Answers a list request in the form it asks for, by the views' naming convention for a list
 * `name`: htmx "Load more" (HX-Target `<name>-more`) gets partials/<name>/rows, htmx filtering
 * (`<name>-panel`) partials/<name>/panel, anything else pages/<name>/list. `more` adds what only
 * the panel and page need (a filter's choices), so "Load more" does not query it. 422 while the
 * query has errors, so the form shows them.
 */
export async function sendList (request: FastifyRequest, reply: FastifyReply, name: string, data: Record<string, unknown> & { invalid: boolean },
  more: () => Promise<Record<string, unknown>> = async () => ({})) {
  reply.header('Vary', 'HX-Request, HX-Target')
  if (data.invalid) reply.code(422)
  const target = request.headers['hx-target']
  if (target === `${name}-more` && !data.invalid) return reply.view(`partials/${name}/rows`, { ...data, fragment: true })
  const full = { ...data, ...await more() }
  if (target === `${name}-panel`) return reply.view(`partials/${name}/panel`, { ...full, fragment: true })
  return reply.view(`pages/${name}/list`, full)
}

export interface ListPage<F extends string, S extends string> {
  /** The list's name: its address (/<name>, /<name>.csv) and views (see sendList). */
  name: string
  title: string
  spec: ListSpec<F, S>
  list: ListQuery<F, S>
  page: Page<unknown>
  /** The table's columns, in order; those with a sort key link to it. */
  columns: ReadonlyArray<Column<S>>
  /** What else the views need. */
  data?: Record<string, unknown>
  /** What only the page and the panel need (sendList's `more`). */
  more?: () => Promise<Record<string, unknown>>
}

/**
 * A list page's answer from its parts: sort headers, paging and export links, and the view data
 * every list template uses (list, invalid, errors, filtered, columns, rows, paged, firstUrl,
 * nextUrl, csvUrl), then sendList().
 */
export async function sendListPage<F extends string, S extends string> (request: FastifyRequest, reply: FastifyReply, options: ListPage<F, S>) {
  const { name, list, spec } = options
  const path = `/${name}`
  const headers = sortHeaders(spec.sorts, list.sort, (sort, dir) => listHref(path, list.params, { sort, dir }))
  return sendList(request, reply, name, {
    title: options.title,
    list,
    invalid: list.invalid,
    errors: list.errors,
    filtered: list.q !== '' || Object.keys(list.filters).length > 0,
    columns: tableColumns(options.columns, headers),
    rows: options.page.rows,
    ...pageLinks(path, list, options.page.next, `${path}.csv`),
    ...options.data
  }, options.more)
}
