import t from 'tap'
import { formatAttributePath, parseFilter, ScimFilterError, ScimSyntaxError, type Filter } from './index.ts'

/** A compact, fully parenthesised rendering that makes grouping visible. */
function show (filter: Filter): string {
  switch (filter.kind) {
    case 'compare': return `${formatAttributePath(filter.path)} ${filter.operator} ${JSON.stringify(filter.value)}`
    case 'present': return `${formatAttributePath(filter.path)} pr`
    case 'and':
    case 'or': return `(${filter.filters.map(show).join(` ${filter.kind} `)})`
    case 'not': return `not ${show(filter.filter)}`
    case 'valuePath': return `${formatAttributePath(filter.path)}[${show(filter.filter)}]`
  }
}

const parsed = (input: string, strict = false) => show(parseFilter(input, { allowUnquotedValues: !strict }))
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

t.test('every example filter of RFC 7644 §3.4.2.2', async t => {
  const examples: Array<[string, string]> = [
    ['userName eq "bjensen"', 'userName eq "bjensen"'],
    ['name.familyName co "O\'Malley"', 'name.familyName co "O\'Malley"'],
    ['userName sw "J"', 'userName sw "J"'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'],
    ['title pr', 'title pr'],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastModified gt "2011-05-13T04:42:34Z"'],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', 'meta.lastModified ge "2011-05-13T04:42:34Z"'],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', 'meta.lastModified lt "2011-05-13T04:42:34Z"'],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', 'meta.lastModified le "2011-05-13T04:42:34Z"'],
    ['title pr and userType eq "Employee"', '(title pr and userType eq "Employee")'],
    ['title pr or userType eq "Intern"', '(title pr or userType eq "Intern")'],
    [`schemas eq "${ENTERPRISE}"`, `schemas eq "${ENTERPRISE}"`],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      '(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))'],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      '(userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org"))'],
    ['userType eq "Employee" and (emails.type eq "work")', '(userType eq "Employee" and emails.type eq "work")'],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      '(userType eq "Employee" and emails[(type eq "work" and value co "@example.com")])'],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      '(emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")])'],
    // §3.4.2.2: "the following two expressions will evaluate to the same logical value"
    ['userName Eq "john"', 'userName eq "john"'],
    ['Username eq "john"', 'Username eq "john"']
  ]
  for (const [input, expected] of examples) t.equal(parsed(input, true), expected, input)
})

t.test('the typed AST of a comparison, a presence test, a value path and a URN path', async t => {
  t.same(parseFilter('userName eq "bjensen"'), { kind: 'compare', path: { attribute: 'userName' }, operator: 'eq', value: 'bjensen' })
  t.same(parseFilter('TITLE PR'), { kind: 'present', path: { attribute: 'TITLE' } })
  t.same(parseFilter('members[value eq "2819c223"]'), {
    kind: 'valuePath',
    path: { attribute: 'members' },
    filter: { kind: 'compare', path: { attribute: 'value' }, operator: 'eq', value: '2819c223' }
  })
  t.same(parseFilter(`${ENTERPRISE}:employeeNumber eq "701984"`), {
    kind: 'compare', path: { schema: ENTERPRISE, attribute: 'employeeNumber' }, operator: 'eq', value: '701984'
  })
  t.same(parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`).kind, 'compare')
  t.same((parseFilter(`${ENTERPRISE}:manager.value pr`) as { path: object }).path, { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' })
  t.same((parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName pr') as { path: object }).path,
    { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'name', subAttribute: 'familyName' })
  t.same((parseFilter('members.$ref pr') as { path: object }).path, { attribute: 'members', subAttribute: '$ref' })
})

t.test('the filters Okta and Entra send', async t => {
  const filters: Array<[string, string]> = [
    // Okta: match before create, Group Push lookup
    ['userName eq "dade.murphy@example.com"', 'userName eq "dade.murphy@example.com"'],
    ['displayName eq "Engineering"', 'displayName eq "Engineering"'],
    // Entra: the matching attribute, test connection with a random GUID, group membership
    ['userName eq "7b8d9e0f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"', 'userName eq "7b8d9e0f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"'],
    ['externalId eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"', 'externalId eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"'],
    ['emails[type eq "work"].value eq "ryan@contoso.com"', 'emails[(type eq "work" and value eq "ryan@contoso.com")]'],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', 'members[value eq "2819c223-7f76-453a-919d-413861904646"]'],
    ['id eq "9a5c1e4e" and members[value eq "b2d6"]', '(id eq "9a5c1e4e" and members[value eq "b2d6"])'],
    // Microsoft's validator (Postman collection) and Entra's documentation: unquoted values
    ['DisplayName eq "BobIsAmazing"', 'DisplayName eq "BobIsAmazing"'],
    ['externalId eq jyoung', 'externalId eq "jyoung"'],
    ['userName sw O', 'userName sw "O"'],
    ['name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
      '(name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org"))'],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', 'meta.Created gt "2015-10-10T14:38:21.8617979-07:00"']
  ]
  for (const [input, expected] of filters) t.equal(parsed(input), expected, input)
})

t.test('not binds tighter than and, and tighter than or; parentheses regroup', async t => {
  t.equal(parsed('a pr or b pr and c pr'), '(a pr or (b pr and c pr))')
  t.equal(parsed('a pr and b pr or c pr'), '((a pr and b pr) or c pr)')
  t.equal(parsed('a pr and b pr or c pr and d pr'), '((a pr and b pr) or (c pr and d pr))')
  t.equal(parsed('(a pr or b pr) and c pr'), '((a pr or b pr) and c pr)')
  t.equal(parsed('not (a pr) and b pr'), '(not a pr and b pr)')
  t.equal(parsed('not (a pr or b pr) or c pr'), '(not (a pr or b pr) or c pr)')
  t.equal(parsed('not(not(a pr))'), 'not not a pr', 'not without a space, nested')
  t.equal(parsed('a pr and b pr and c pr or d pr or e pr'), '((a pr and b pr and c pr) or d pr or e pr)', 'chains are flat')
  t.equal(parsed('((a pr))'), 'a pr', 'redundant parentheses vanish')
  t.equal(parsed('emails[type eq "work" or not (value pr)] and x pr'), '(emails[(type eq "work" or not value pr)] and x pr)')
  t.equal(parsed('a pr  AND\tb pr Or NOT  (c pr)'), '((a pr and b pr) or not c pr)', 'keywords in any case, any whitespace')
  t.equal(parsed('not eq "x"'), 'not eq "x"', 'an attribute may be called not')
})

t.test('values: JSON strings with escapes, numbers, true, false, null; dates stay strings', async t => {
  const value = (input: string, strict = true) => (parseFilter(`x eq ${input}`, { allowUnquotedValues: !strict }) as { value: unknown }).value
  t.equal(value('"O\\"Malley \\\\ \\u00e9\\n\\/"'), 'O"Malley \\ é\n/')
  t.equal(value('"with ) and ] and \\"and\\" inside"'), 'with ) and ] and "and" inside')
  t.equal(value('""'), '')
  t.equal(value('42'), 42)
  t.equal(value('-1.5e3'), -1500)
  t.equal(value('0'), 0)
  t.equal(value('true'), true)
  t.equal(value('False'), false, 'ABNF literals are case-insensitive')
  t.equal(value('null'), null)
  t.equal(value('"2011-05-13T04:42:34Z"'), '2011-05-13T04:42:34Z')
  t.equal(value('01', false), '01', 'not a JSON number: an unquoted string')
  t.equal(value("O'Malley", false), "O'Malley")
  t.equal(value('constructor', false), 'constructor', 'a word is never looked up on a prototype')
  t.throws(() => value('01'), { message: /expected a value .* at position 5, found "01"/ }, 'strict: not a JSON number')
  t.throws(() => value('jyoung'), { message: /expected a value \(a "quoted string", a number, true, false or null\) at position 5, found "jyoung"/ })
})

t.test('errors say what was expected where, and are invalidFilter', async t => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /^expected an attribute name, "\(" or "not \(" at position 0, found the end of the input$/],
    ['userName', 8, /^expected an operator \(eq, ne, co, sw, ew, gt, ge, lt, le or pr\) after "userName" at position 8, found the end of the input$/],
    ['userName equals "x"', 9, /after "userName" at position 9, found "equals"/],
    ['userName eq', 11, /^expected a value .* at position 11, found the end of the input$/],
    ['userName eq "x" and', 19, /^expected an attribute name, "\(" or "not \(" at position 19/],
    ['userName eq "x" nand y pr', 16, /^expected "and", "or" or the end of the filter at position 16, found "nand"/],
    ['(userName pr', 12, /^expected "and", "or" or "\)" at position 12, found the end of the input$/],
    ['userName pr)', 11, /^expected "and", "or" or the end of the filter at position 11, found "\)"/],
    ['not (userName pr', 16, /expected "and", "or" or "\)" at position 16/],
    ['userName eq "open', 12, /^unterminated string starting at position 12$/],
    ['userName eq "bad \\x escape"', 12, /^invalid string at position 12: only JSON escapes/],
    ['emails[type eq "work"', 21, /^expected "and", "or" or "\]" at position 21, found the end of the input$/],
    ['emails[type eq "work"].', 23, /^expected an attribute name .* at position 23, found "\."/],
    ['emails[type eq "work"].1x eq "a"', 23, /at position 23, found "1x"/],
    ['emails[type eq "work"].value', 28, /after "value" at position 28, found the end of the input/],
    ['emails[type[value pr] eq "x"]', 11, /^a value filter cannot contain another value filter \("\[" at position 11\)$/],
    ['emails[emails.type eq "work"]', 7, /^inside "emails\[…\]" name a sub-attribute of "emails" alone, found "emails.type" at position 7$/],
    ['name.familyName[x pr]', 15, /^a value filter follows an attribute, not a sub-attribute/],
    ['a.b.c pr', 0, /more than one sub-attribute/],
    ['1abc pr', 0, /^expected an attribute name \(a letter, then letters, digits, "-" or "_"\) at position 0, found "1abc"/],
    ['user name eq "x"', 5, /after "user" at position 5, found "name"/],
    ['http://example.com:title pr', 0, /must be a schema URN/],
    ['urn:ietf:params:scim:schemas:core:2.0:User: pr', 43, /at position 43/],
    ['[value pr]', 0, /^expected an attribute name, "\(" or "not \(" at position 0, found "\["/],
    ['(', 1, /at position 1, found the end of the input/],
    ['userName eq "x" or ()', 20, /at position 20, found "\)"/]
  ]
  for (const [input, position, message] of cases) {
    const error = catchError(() => parseFilter(input))
    t.ok(error instanceof ScimFilterError && error instanceof ScimSyntaxError, `${input}: a ScimFilterError`)
    t.match(error, { scimType: 'invalidFilter', status: 400, position, message }, input)
  }
})

t.test('deep nesting is refused before it exhausts the stack; long flat chains are fine', async t => {
  t.equal(parsed(`${'('.repeat(32)}a pr${')'.repeat(32)}`), 'a pr')
  t.match(catchError(() => parseFilter(`${'('.repeat(33)}a pr${')'.repeat(33)}`)), { message: 'nesting deeper than 32 levels at position 32', position: 32 })
  t.match(catchError(() => parseFilter(`${'not ('.repeat(5000)}a pr${')'.repeat(5000)}`)), { scimType: 'invalidFilter', message: /nesting deeper than 32/ })
  const chain = Array.from({ length: 2000 }, (_, i) => `a eq ${i}`).join(' or ')
  t.equal((parseFilter(chain) as { filters: unknown[] }).filters.length, 2000)
})

function catchError (fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
