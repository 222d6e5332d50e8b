/**
 * The list toolkit: what every register list page (hardware, people, software, requests) needs to
 * filter, search, sort and page a table of any size, and to export it as CSV. Each file does one job:
 *
 *   query.ts     parseListQuery(query, spec): filters, search words, sort and cursor from the URL,
 *                with inline error messages (never a bare 400); listHref() builds links from them.
 *   sort.ts      whitelisted sort options made of segments of SQL keys; sortHeaders() for <th> links.
 *   keyset.ts    keysetPage() / keysetBatches(): keyset paging by an opaque cursor, never OFFSET.
 *   search.ts    searchTerms() and containsPattern(): words of the search box as LIKE patterns.
 *   distinct.ts  distinctValues() / distinctColumns(): filters' choices by loose index scans.
 *   csv.ts       csvStream(): a streamed CSV export, escaped and guarded against formula injection.
 *   respond.ts   sendListPage(): a list's answer from its parts (on pageLinks() and sendList():
 *                the page, the htmx panel or the rows, by convention).
 *   columns.ts   tableColumns() for a table's <th>s, choiceOptions() for a filter's <select>.
 *   read.ts      readListPage() / readListBatches(): step 3 with each row converted.
 *   export.ts    sendCsv(): the `.csv` route's answer (step 4 below), or 422 for invalid filters.
 *
 * A list page, in four steps (core/pages/hardware/ is the worked example):
 *
 * 1. Describe the list once:
 *
 *      const LIST: ListSpec<'status', 'name' | 'updated'> = {
 *        filters: { status: { kind: 'choice', values: STATUSES } },
 *        sorts: {
 *          name: { label: 'Name', segments: [{ keys: ['lower(p.last_name)'] }] },
 *          updated: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['p.updated_at'] }] }
 *        },
 *        defaultSort: 'name',
 *        search: { max: 200 }
 *      }
 *
 *    A sort key is a SQL expression that is never null in its segment; the row id breaks ties.
 *    Give every segment an index on (workspace_id, ...keys, id) in a migration, with the same
 *    expressions, and every page is one index range. A nullable column sorts in two segments,
 *    e.g. [{ where: 'lower(p.x) IS NOT NULL', keys: ['lower(p.x)'] }, { where: 'lower(p.x) IS NULL', keys: [] }],
 *    which puts the blanks last in both directions. Write the conditions on the indexed
 *    expression, as here: then the index skips the blanks instead of the query filtering them.
 *    Keys must not contain `?` (a knex binding).
 *
 * 2. Read the request: `const list = parseListQuery(request.query, LIST)`. When `list.invalid`,
 *    render the page with `list.errors` beside the fields (status 422) and read no rows.
 *
 * 3. Read a page: keysetPage({ db, query, sort: list.sort, idColumn: 'p.id' }, list.cursor, 50),
 *    where `query` returns a fresh knex query with the workspace, scope, filters and search
 *    (`list.terms`, each `lower(<text>) LIKE lower(?)` with containsPattern(term)) applied and the
 *    columns selected. It answers { rows, next }; pageLinks(path, list, next, csvPath) gives the
 *    "Load more", "Back to the first page" and export links, which keep the filters and sort.
 *    sendList(request, reply, 'people', data) then renders pages/people/list, or for htmx the
 *    partials/people/panel (HX-Target people-panel) or partials/people/rows (people-more).
 *    sendListPage(request, reply, { name: 'people', title, spec, list, page, columns }) does
 *    all of that with the data every list template uses (core/pages/hardware/list-page.ts).
 *
 * 4. Export: sendCsv(request, reply, 'people', list, columns, () => keysetBatches(source)) streams
 *    csvStream() with the same source, so the file holds exactly the rows the list shows, one
 *    batch (500 rows) in memory at a time.
 *
 * htmx swaps the panel (filters + table) or appends rows on "Load more" (see
 * views/partials/hardware/); every link and form is a plain GET too, so it works without JS.
 */
export { first, listHref, parseListQuery, type FilterSpec, type ListQuery, type ListSpec, type RawQuery } from './query.ts'
export { parseSort, sortHeaders, type Direction, type Sort, type SortHeader, type SortOption, type SortOptions, type SortSegment } from './sort.ts'
export { CursorError, decodeCursor, encodeCursor, keysetBatches, keysetPage, type Cursor, type Page, type PageSource } from './keyset.ts'
export { containsPattern, searchTerms } from './search.ts'
export { distinctColumns, distinctValues } from './distinct.ts'
export { csvCell, csvLine, csvStream, type CsvColumn } from './csv.ts'
export { pageLinks, sendList, sendListPage, type ListPage } from './respond.ts'
export { choiceOptions, tableColumns, type Column, type ColumnHeader } from './columns.ts'
export { sendCsv } from './export.ts'
export { readListBatches, readListPage } from './read.ts'
