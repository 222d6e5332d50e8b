// The list toolkit's pure parts; the hardware pages test it against the database.
import t from 'tap'
import {
  csvCell, csvStream, decodeCursor, encodeCursor, listHref, parseListQuery, searchTerms, containsPattern, sortHeaders, type ListSpec
} from '../core/admin/list/index.ts'

const SPEC: ListSpec<'status' | 'team', 'name' | 'updated'> = {
  filters: { status: { kind: 'choice', values: ['active', 'gone'] }, team: { kind: 'text', max: 5 } },
  sorts: {
    name: { label: 'Name', segments: [{ where: 'lower(x.name) IS NOT NULL', keys: ['lower(x.name)'] }, { where: 'lower(x.name) IS NULL', keys: [] }] },
    updated: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['x.updated_at'] }] }
  },
  defaultSort: 'name',
  search: { max: 10 }
}

t.test('parseListQuery: filters, search, sort and inline errors', async t => {
  const list = parseListQuery({ status: 'gone', team: [' ops ', 'ignored'], q: '  two  words ', sort: 'updated', unknown: 'x' }, SPEC)
  t.same(list.filters, { status: 'gone', team: 'ops' })
  t.same(list.terms, ['two', 'words'])
  t.match(list.sort, { key: 'updated', dir: 'desc', isDefault: false })
  t.equal(list.invalid, false)
  t.equal(list.params.toString(), 'status=gone&team=ops&q=two++words&sort=updated&dir=desc')

  const bad = parseListQuery({ status: 'nope', team: 'toolong', q: 'x'.repeat(11), sort: 'password', dir: 'up' }, SPEC)
  t.same(bad.errors, { status: 'Choose one of the listed values.', team: 'Use at most 5 characters.', q: 'Search with at most 10 characters.' })
  t.equal(bad.invalid, true)
  t.match(bad.sort, { key: 'name', dir: 'asc', isDefault: true }, 'an unknown sort is the default one')
  t.equal(bad.params.has('sort'), false, 'the default sort stays out of links')
})

t.test('cursors: opaque, bound to their sort, and checked', async t => {
  const byName = parseListQuery({}, SPEC).sort
  const cursor = { segment: 0, keys: ['ada'], id: 'a1' }
  const raw = encodeCursor(byName, cursor)
  t.match(raw, /^[A-Za-z0-9_-]+$/)
  t.same(decodeCursor(raw, byName), cursor)
  t.same(decodeCursor(encodeCursor(byName, { segment: 1, keys: [], id: 'a2' }), byName), { segment: 1, keys: [], id: 'a2' })
  t.equal(decodeCursor(raw, parseListQuery({ dir: 'desc' }, SPEC).sort), null, 'another direction')
  t.equal(decodeCursor(raw, parseListQuery({ sort: 'updated' }, SPEC).sort), null, 'another sort')
  for (const value of [['name', 'asc', 2, [], 'x'], ['name', 'asc', 0, [], 'x'], ['name', 'asc', 0, [1], 'x'], ['name', 'asc', 0, ['a'], ''], 'text']) {
    t.equal(decodeCursor(Buffer.from(JSON.stringify(value)).toString('base64url'), byName), null, JSON.stringify(value))
  }
  t.equal(decodeCursor('%%%', byName), null)
  t.equal(decodeCursor('x'.repeat(3000), byName), null)
})

t.test('links keep the query; sort headers flip the current column', async t => {
  const list = parseListQuery({ team: 'ops', sort: 'name', dir: 'asc' }, SPEC)
  t.equal(listHref('/x', list.params), '/x?team=ops')
  t.equal(listHref('/x', list.params, { after: 'c1', team: null }), '/x?after=c1')
  const headers = sortHeaders(SPEC.sorts, list.sort, (sort, dir) => listHref('/x', list.params, { sort, dir }))
  t.same(headers.name, { label: 'Name', href: '/x?team=ops&sort=name&dir=desc', ariaSort: 'ascending' })
  t.same(headers.updated, { label: 'Updated', href: '/x?team=ops&sort=updated&dir=desc', ariaSort: 'none' })
})

t.test('search words become escaped LIKE patterns', async t => {
  t.same(searchTerms(' a  b a '), ['a', 'b'])
  t.equal(searchTerms('1 2 3 4 5 6 7 8 9 10').length, 8)
  t.equal(containsPattern('50%_off\\'), '%50\\%\\_off\\\\%')
})

t.test('CSV cells: RFC 4180 quoting and no formulas', async t => {
  t.equal(csvCell(null), '')
  t.equal(csvCell(-12.5), '-12.5', 'a number is not a formula')
  t.equal(csvCell(new Date('2024-01-02T03:04:05Z')), '2024-01-02T03:04:05.000Z')
  t.equal(csvCell('plain'), 'plain')
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('two\nlines'), '"two\nlines"')
  for (const start of ['=', '+', '-', '@', '\t', '\r']) t.equal(csvCell(`${start}1+1`).replace(/^"/, '').slice(0, 2), `'${start}`, JSON.stringify(start))
  t.equal(csvCell('=SUM(A1,A2)'), '"\'=SUM(A1,A2)"', 'guarded, then quoted')
  t.equal(csvCell({ cpu: 'M3' }), '"{""cpu"":""M3""}"')

  type Row = { a: string, b: number | null }
  async function * batches (): AsyncGenerator<Row[]> { yield [{ a: 'x', b: 1 }]; yield [{ a: '=y', b: null }] }
  let text = ''
  for await (const chunk of csvStream<Row>([{ header: 'A', value: r => r.a }, { header: 'B', value: r => r.b }], batches())) text += chunk
  t.equal(text, '\uFEFFA,B\r\nx,1\r\n\'=y,\r\n')
})
