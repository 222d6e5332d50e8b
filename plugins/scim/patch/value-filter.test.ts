import t from 'tap'
import { parsePath } from '../filter/index.ts'
import { isCaseExactSubAttribute } from './attributes.ts'
import { matchesValueFilter } from './index.ts'

/** Whether `element` of `attribute` matches the filter written between the brackets. */
function matches (element: unknown, filter: string, attribute = 'emails'): boolean {
  const { valueFilter } = parsePath(`${attribute}[${filter}]`)
  return matchesValueFilter(element, valueFilter!, { isCaseExact: sub => isCaseExactSubAttribute(attribute, sub) })
}

const work = { value: 'BJensen@Example.com', type: 'work', primary: true }
const home = { value: 'babs@jensen.org', type: 'Home', primary: 'False' }

t.test('eq and ne compare strings ignoring case, and names ignoring case', async t => {
  t.ok(matches(work, 'type eq "work"'))
  t.ok(matches(home, 'type eq "home"'))
  t.ok(matches(work, 'Value EQ "bjensen@example.com"'))
  t.notOk(matches(work, 'type eq "home"'))
  t.ok(matches(work, 'type ne "home"'))
  t.notOk(matches(work, 'type ne "WORK"'))
  t.ok(matches({ value: 'x' }, 'type ne "work"'), 'an absent attribute is not equal to anything')
  t.notOk(matches({ value: 'x' }, 'type eq "work"'))
  t.ok(matches(work, 'type eq work'), 'unquoted values are strings, as elsewhere')
})

t.test('a member\'s value (an id) and $ref compare case-exactly', async t => {
  const member = { value: 'AbC-1', $ref: 'https://h/Users/AbC-1' }
  t.ok(matches(member, 'value eq "AbC-1"', 'members'))
  t.notOk(matches(member, 'value eq "abc-1"', 'members'))
  t.ok(matches(member, 'value ne "abc-1"', 'members'))
  t.notOk(matches(member, '$ref ew "abc-1"', 'members'))
  t.ok(matches({ display: 'Babs' }, 'display eq "BABS"', 'members'), 'other member sub-attributes ignore case')
})

t.test('co, sw and ew on strings', async t => {
  t.ok(matches(work, 'value co "@EXAMPLE."'))
  t.ok(matches(work, 'value sw "bjen"'))
  t.ok(matches(work, 'value ew ".COM"'))
  t.notOk(matches(work, 'value ew "example"'))
  t.ok(matches({ value: 15 }, 'value co "5"'), 'a stored number compares as text with a quoted value')
  t.notOk(matches({ value: { x: 'b' } }, 'value sw "b"'), 'an object is no string')
  t.notOk(matches({ type: 'work' }, 'value sw "b"'), 'absent')
})

t.test('gt ge lt le order numbers, strings and date-times; booleans have no order', async t => {
  t.ok(matches({ value: 10 }, 'value gt 9'))
  t.notOk(matches({ value: 10 }, 'value gt 10'))
  t.ok(matches({ value: 10 }, 'value ge 10'))
  t.ok(matches({ value: '10' }, 'value lt 11'), 'a stored numeric string compares as the number it spells')
  t.ok(matches({ value: 10 }, 'value le 10'))
  t.ok(matches({ value: 'b' }, 'value gt "A"'), 'strings in order, ignoring case')
  t.notOk(matches({ value: 'a' }, 'value gt "B"'))
  t.ok(matches({ created: '2015-10-10T14:38:21.8617979-07:00' }, 'created gt "2015-10-10T21:00:00Z"'), 'instants, not text: the offset counts')
  t.notOk(matches({ created: '2015-10-10T14:38:21-07:00' }, 'created lt 2015-10-10T20:00:00Z'))
  t.notOk(matches({ primary: true }, 'primary gt false'))
  t.notOk(matches({ value: 'x' }, 'value gt 3'), 'a string that is no number does not compare with one')
})

t.test('booleans: true matches true and the strings "True"/"true" that are stored before coercion', async t => {
  t.ok(matches(work, 'primary eq true'))
  t.notOk(matches(work, 'primary eq false'))
  t.ok(matches(home, 'primary eq false'))
  t.ok(matches({ primary: 'True' }, 'primary eq true'))
  t.notOk(matches({ primary: 'yes' }, 'primary eq true'))
  t.notOk(matches({}, 'primary eq false'), 'absent is not false')
  t.ok(matches(work, 'primary eq "TRUE"'), 'a quoted "true" compares as text')
})

t.test('null: eq null matches absent or null, ne null present', async t => {
  t.ok(matches({ value: 'x' }, 'type eq null'))
  t.ok(matches({ value: 'x', type: null }, 'type eq null'))
  t.notOk(matches(work, 'type eq null'))
  t.ok(matches(work, 'type ne null'))
  t.notOk(matches({ value: 'x' }, 'type ne null'))
})

t.test('pr: present and not empty', async t => {
  t.ok(matches(work, 'type pr'))
  t.notOk(matches({ value: 'x' }, 'type pr'))
  t.notOk(matches({ type: '' }, 'type pr'))
  t.notOk(matches({ type: null }, 'type pr'))
  t.notOk(matches({ type: [] }, 'type pr'))
  t.ok(matches({ primary: false }, 'primary pr'), 'false is a value')
})

t.test('and, or, not (...) and parentheses', async t => {
  t.ok(matches(work, 'type eq "work" and primary eq true'))
  t.notOk(matches(home, 'type eq "home" and primary eq true'))
  t.ok(matches(home, 'type eq "work" or type eq "home"'))
  t.ok(matches(home, 'not (type eq "work")'))
  t.notOk(matches(work, 'not (type eq "work")'))
  t.ok(matches(work, '(type eq "home" or type eq "work") and value ew "example.com"'))
})

t.test('elements that are bare values are their own value; list-valued attributes match on any item', async t => {
  t.ok(matches('urn:a', 'value eq "URN:A"', 'schemas'))
  t.notOk(matches('urn:a', 'type eq "x"', 'schemas'))
  t.ok(matches({ tags: ['a', 'b'] }, 'tags eq "B"'))
})

t.test('nested value paths, which the parser forbids in PATCH paths, are still evaluated', async t => {
  const filter = { kind: 'valuePath' as const, path: { attribute: 'items' }, filter: { kind: 'compare' as const, path: { attribute: 'type' }, operator: 'eq' as const, value: 'x' } }
  t.ok(matchesValueFilter({ items: [{ type: 'y' }, { type: 'X' }] }, filter, { isCaseExact: () => false }))
  t.notOk(matchesValueFilter({ items: [{ type: 'y' }] }, filter, { isCaseExact: () => false }))
  t.ok(matchesValueFilter({ name: { givenName: 'Babs' } }, { kind: 'compare', path: { attribute: 'name', subAttribute: 'GivenName' }, operator: 'eq', value: 'babs' }, { isCaseExact: () => false }))
})
