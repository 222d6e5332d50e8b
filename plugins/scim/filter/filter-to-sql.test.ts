// The filter's SQL run on a real database (embedded, or PostgreSQL with DATABASE_URL): scratch
// tables of people and groups, and the rows each filter selects.
import t from 'tap'
import {
  defineFilterAttributes, filterToSql, keptAttributes, parseFilter, ScimFilterError, type FilterAttributes
} from './index.ts'
import { builder, openScratchDatabase } from './scratch-database.ts'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const CUSTOM = 'urn:acme:scim:schemas:extension:stocktake:1.0:User'

const db = await openScratchDatabase()
t.teardown(db.close)

await db.exec(`
  CREATE TEMP TABLE scim_filter_people (
    id integer PRIMARY KEY, user_name text NOT NULL, external_id text, title text, active boolean,
    created timestamptz, login_count integer, score numeric, employee_number text, manager_id text,
    emails jsonb, schemas text[], kept jsonb
  );
  CREATE INDEX scim_filter_people_lower_user_name ON scim_filter_people (lower(user_name));
  CREATE TEMP TABLE scim_filter_groups (id integer PRIMARY KEY, display_name text NOT NULL);
  CREATE TEMP TABLE scim_filter_members (group_id integer NOT NULL, value text NOT NULL, display text);
  INSERT INTO scim_filter_groups VALUES (1, 'Admins'), (2, 'Engineering'), (3, 'Empty');
  INSERT INTO scim_filter_members VALUES (1, 'u1', 'Barbara Jensen'), (2, 'u1', 'Barbara Jensen'), (2, 'u2', 'John Smith');
`)
const people = [
  {
    id: 1,
    user_name: 'bjensen',
    external_id: 'Ext-1',
    title: 'Tour Guide',
    active: true,
    created: '2011-05-13T04:42:34Z',
    login_count: 10,
    score: 1.5,
    employee_number: '701984',
    manager_id: 'm-26118915',
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
    schemas: [USER, ENTERPRISE],
    kept: { [CUSTOM.toLowerCase()]: { badge: 'B-100', desk: { floor: '3' } } }
  },
  { id: 2, user_name: 'JSmith', active: false, created: '2015-10-10T21:38:22Z', login_count: 0, score: 3, emails: [{ value: 'john.smith@acme.test', type: 'work' }], schemas: [USER] },
  { id: 3, user_name: '100%_sure', title: '', emails: [], schemas: [USER] },
  { id: 4, user_name: "o'malley", title: 'Manager', active: true, created: '2020-01-01T00:00:00Z', emails: [{ value: 'pat@Example.COM', type: 'home' }], schemas: [USER] },
  { id: 5, user_name: 'x_y', title: 'Guide', schemas: [USER] },
  { id: 6, user_name: 'xay', schemas: [USER] },
  { id: 7, user_name: 'back\\slash', schemas: [USER] }
]
for (const { emails, kept, schemas, ...person } of people) {
  const row = { ...person, emails: emails === undefined ? null : JSON.stringify(emails), kept: kept === undefined ? null : JSON.stringify(kept) }
  await db.rows(builder('scim_filter_people').insert({ ...row, schemas: builder.raw(`ARRAY[${schemas.map(() => '?').join(', ')}]::text[]`, schemas) }))
}

/** Users: plain columns, a jsonb array of emails, a text[] of schemas, enterprise columns, kept attributes. */
const users = defineFilterAttributes({
  coreSchema: USER,
  attributes: {
    userName: { sql: 'p.user_name', type: 'string' },
    externalId: { sql: 'p.external_id', type: 'string', caseExact: true },
    title: { sql: 'p.title', type: 'string' },
    active: { sql: 'p.active', type: 'boolean' },
    'meta.created': { sql: 'p.created', type: 'dateTime' },
    loginCount: { sql: 'p.login_count', type: 'integer' },
    score: { sql: 'p.score', type: 'decimal' },
    emails: {
      from: "jsonb_array_elements(coalesce(p.emails, '[]')) AS email",
      subAttributes: {
        value: { sql: "email->>'value'", type: 'string' },
        type: { sql: "email->>'type'", type: 'string' },
        primary: { sql: "(email->>'primary')::boolean", type: 'boolean' }
      }
    },
    addresses: { from: "jsonb_array_elements('[]'::jsonb) AS address", subAttributes: { locality: { sql: "address->>'locality'", type: 'string' } } },
    schemas: { from: 'unnest(p.schemas) AS schema(value)', subAttributes: { value: { sql: 'schema.value', type: 'reference', caseExact: true } } },
    [`${ENTERPRISE}:employeeNumber`]: { sql: 'p.employee_number', type: 'string' },
    [`${ENTERPRISE}:manager.value`]: { sql: 'p.manager_id', type: 'string', caseExact: true }
  },
  unknownAttribute: keptAttributes({ column: 'p.kept', schemas: [CUSTOM] })
})

/** Groups: members in a child table. */
const groups = defineFilterAttributes({
  coreSchema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  attributes: {
    displayName: { sql: 'g.display_name', type: 'string' },
    members: {
      from: 'scim_filter_members AS m',
      where: 'm.group_id = g.id',
      subAttributes: { value: { sql: 'm.value', type: 'string', caseExact: true }, display: { sql: 'm.display', type: 'string' } }
    }
  }
})

async function select (filter: string, map: FilterAttributes = users): Promise<string[]> {
  const { sql, bindings } = filterToSql(parseFilter(filter), map)
  const query = map === groups
    ? builder('scim_filter_groups as g').whereRaw(sql, bindings).orderBy('g.id').select('g.display_name as name')
    : builder('scim_filter_people as p').whereRaw(sql, bindings).orderBy('p.id').select('p.user_name as name')
  return (await db.rows<{ name: string }>(query)).map(row => row.name)
}

const everyone = ['bjensen', 'JSmith', '100%_sure', "o'malley", 'x_y', 'xay', 'back\\slash']
const except = (...names: string[]) => everyone.filter(name => !names.includes(name))

t.test('strings compare case-insensitively unless caseExact', async t => {
  t.same(await select('userName eq "BJENSEN"'), ['bjensen'])
  t.same(await select('UserName Eq "jsmith"'), ['JSmith'], 'attribute names and operators in any case')
  t.same(await select('userName sw "J"'), ['JSmith'])
  t.same(await select('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "j"'), ['JSmith'], 'the core schema URN may be written')
  t.same(await select('title co "GUIDE"'), ['bjensen', 'x_y'])
  t.same(await select('title ew "guide"'), ['bjensen', 'x_y'])
  t.same(await select('userName gt "N"'), ["o'malley", 'x_y', 'xay'], 'ordering on strings, case-insensitive')
  t.same(await select('userName le "b"'), ['100%_sure'])
  t.same(await select('externalId eq "ext-1"'), [], 'caseExact: no match in another case')
  t.same(await select('externalId eq "Ext-1"'), ['bjensen'])
  t.same(await select('externalId sw "Ext"'), ['bjensen'])
  t.same(await select('externalId sw "ext"'), [])
  t.same(await select('userName eq "x\') OR 1=1 --"'), [], 'a value is only ever a binding')
})

t.test('co, sw and ew match % _ and \\ literally', async t => {
  t.same(await select('userName co "%"'), ['100%_sure'])
  t.same(await select('userName co "_"'), ['100%_sure', 'x_y'])
  t.same(await select('userName sw "x_"'), ['x_y'], '"_" is not a wildcard: xay does not match')
  t.same(await select('userName ew "%_SURE"'), ['100%_sure'])
  t.same(await select('userName co "\\\\"'), ['back\\slash'])
  t.same(await select('userName co ""'), everyone, 'an empty string is in every string')
})

t.test('pr is not null and not empty; eq null and ne null', async t => {
  t.same(await select('title pr'), ['bjensen', "o'malley", 'x_y'])
  t.same(await select('not (title pr)'), ['JSmith', '100%_sure', 'xay', 'back\\slash'])
  t.same(await select('title eq null'), ['JSmith', '100%_sure', 'xay', 'back\\slash'])
  t.same(await select('title ne null'), ['bjensen', "o'malley", 'x_y'])
  t.same(await select('active pr'), ['bjensen', 'JSmith', "o'malley"])
  t.same(await select('meta.created pr'), ['bjensen', 'JSmith', "o'malley"])
})

t.test('not and ne treat an absent attribute as not matching, so its rows come back', async t => {
  t.same(await select('not (title eq "Tour Guide")'), except('bjensen'), 'rows whose title is null or empty are included')
  t.same(await select('title ne "tour guide"'), except('bjensen'))
  t.same(await select('not (title co "guide")'), except('bjensen', 'x_y'))
  t.same(await select('not (title eq "Tour Guide" or active eq false)'), except('bjensen', 'JSmith'))
  t.same(await select('not (title eq "Tour Guide" and active eq true)'), except('bjensen'))
  t.same(await select('not (not (title eq "Tour Guide"))'), ['bjensen'])
  t.same(await select('active ne true'), except('bjensen', "o'malley"), 'null active is not true')
  t.same(await select('not (active eq false)'), except('JSmith'))
  t.same(await select('not (loginCount gt 5)'), except('bjensen'))
  t.same(await select('not (emails co "example.com")'), except('bjensen', "o'malley"), 'no email at all counts as not containing it')
  t.same(await select('not (meta.created lt "2016-01-01T00:00:00Z") and active pr'), ["o'malley"])
})

t.test('booleans: eq and ne only, with true/false (Entra\'s "True" too)', async t => {
  t.same(await select('active eq true'), ['bjensen', "o'malley"])
  t.same(await select('active eq False'), ['JSmith'])
  t.same(await select('active eq "True"'), ['bjensen', "o'malley"])
  t.same(await select('emails.primary eq true'), ['bjensen'])
  t.throws(() => filterToSql(parseFilter('active co "t"'), users), { message: 'operator "co" does not apply to "active", a boolean attribute (use eq or ne)', scimType: 'invalidFilter' })
  t.throws(() => filterToSql(parseFilter('active gt true'), users), { message: /operator "gt" does not apply to "active"/ })
  t.throws(() => filterToSql(parseFilter('active eq "yes"'), users), { message: '"active" is a boolean attribute: compare it with true or false, not "yes"' })
  t.throws(() => filterToSql(parseFilter('active eq 1'), users), { message: /compare it with true or false, not 1/ })
})

t.test('dates compare chronologically; numbers numerically', async t => {
  t.same(await select('meta.created gt "2012-01-01T00:00:00Z"'), ['JSmith', "o'malley"])
  t.same(await select('meta.created ge "2011-05-13T04:42:34Z"'), ['bjensen', 'JSmith', "o'malley"])
  t.same(await select('meta.created lt "2011-05-13T04:42:34Z"'), [])
  t.same(await select('meta.created le "2011-05-13T04:42:34Z"'), ['bjensen'])
  t.same(await select('meta.created eq "2011-05-13T06:42:34+02:00"'), ['bjensen'], 'offsets are honoured')
  t.same(await select('meta.created eq "2011-05-13T04:42:34"'), ['bjensen'], 'no offset reads as UTC')
  t.same(await select('meta.Created gt 2015-10-10T14:38:21.8617979-07:00'), ['JSmith', "o'malley"], 'Microsoft\'s unquoted, 7-digit fraction')
  t.same(await select('meta.created lt "2015-10-10T21:38:22.5Z" and meta.created gt "2015-10-10T21:38:21.5Z"'), ['JSmith'])
  t.throws(() => filterToSql(parseFilter('meta.created gt "yesterday"'), users),
    { message: '"meta.created" is a dateTime attribute: "yesterday" is not a date-time such as "2011-05-13T04:42:34Z"' })
  t.throws(() => filterToSql(parseFilter('meta.created gt "2011-02-30T00:00:00Z"'), users), { message: /not a date-time/ }, 'no 30 February')
  t.throws(() => filterToSql(parseFilter('meta.created co "2011"'), users), { message: /operator "co" does not apply to "meta.created", a dateTime attribute \(use eq, ne, gt, ge, lt or le\)/ })
  t.same(await select('loginCount gt 5'), ['bjensen'])
  t.same(await select('loginCount ge 0'), ['bjensen', 'JSmith'])
  t.same(await select('loginCount eq 0'), ['JSmith'])
  t.same(await select('score lt 2.5'), ['bjensen'])
  t.same(await select('score ge 1.5e0'), ['bjensen', 'JSmith'])
  t.throws(() => filterToSql(parseFilter('loginCount eq 1.5'), users), { message: '"loginCount" is an integer attribute: compare it with a whole number, not 1.5' })
  t.throws(() => filterToSql(parseFilter('loginCount eq "10"'), users), { message: /whole number, not "10"/ })
  t.throws(() => filterToSql(parseFilter('score sw 1'), users), { message: /operator "sw" does not apply to "score", a decimal attribute/ })
  t.throws(() => filterToSql(parseFilter('title gt null'), users), { message: 'only eq and ne compare with null, found "title gt null"' })
})

t.test('multi-valued attributes in a jsonb array: any element, or the same element in a value path', async t => {
  t.same(await select('emails co "example.com"'), ['bjensen', "o'malley"], 'no sub-attribute: value')
  t.same(await select('emails.value co "EXAMPLE.com"'), ['bjensen', "o'malley"])
  t.same(await select('emails.type eq "home"'), ['bjensen', "o'malley"])
  t.same(await select('emails.type eq "home" and emails.value co "example.com"'), ['bjensen', "o'malley"], 'two conditions, any elements')
  t.same(await select('emails[type eq "home" and value co "example.com"]'), ["o'malley"], 'one element must match both')
  t.same(await select('emails[type eq "work" and value co "@example.com"]'), ['bjensen'])
  t.same(await select('emails[type eq "work"].value eq "JOHN.smith@acme.test"'), ['JSmith'], 'Entra\'s matching filter')
  t.same(await select('emails[type eq "work"].value eq "pat@example.com"'), [], 'pat\'s address is a home one')
  t.same(await select('emails[not (type eq "work")]'), ['bjensen', "o'malley"])
  t.same(await select('emails pr'), ['bjensen', 'JSmith', "o'malley"])
  t.same(await select('not (emails pr)'), ['100%_sure', 'x_y', 'xay', 'back\\slash'], 'an empty array and no array are both absent')
  t.same(await select('emails.primary pr'), ['bjensen'])
  t.same(await select(`schemas eq "${ENTERPRISE}"`), ['bjensen'], 'a multi-valued string (text[]) compares its values')
  t.same(await select(`schemas eq "${ENTERPRISE.toLowerCase()}"`), [], 'a caseExact reference')
  t.same(await select('userName eq "xay" or emails[type eq "work" and value co "@example.com"]'), ['bjensen', 'xay'])
})

t.test('multi-valued attributes in a child table: members', async t => {
  t.same(await select('members[value eq "u1"]', groups), ['Admins', 'Engineering'])
  t.same(await select('members.value eq "u2"', groups), ['Engineering'])
  t.same(await select('members eq "u2"', groups), ['Engineering'])
  t.same(await select('members[value eq "u1"] and members[value eq "u2"]', groups), ['Engineering'])
  t.same(await select('members[display co "smith"]', groups), ['Engineering'])
  t.same(await select('members[value eq "U1"]', groups), [], 'member values are caseExact')
  t.same(await select('members pr', groups), ['Admins', 'Engineering'])
  t.same(await select('not (members pr)', groups), ['Empty'])
  t.same(await select('not (members[value eq "u2"])', groups), ['Admins', 'Empty'])
  t.same(await select('displayName eq "ENGINEERING" and members[value eq "u1"]', groups), ['Engineering'])
})

t.test('URN-prefixed attributes: mapped extension columns and kept attributes', async t => {
  t.same(await select(`${ENTERPRISE}:employeeNumber eq "701984"`), ['bjensen'])
  t.same(await select(`${ENTERPRISE.toLowerCase()}:EMPLOYEENUMBER eq "701984"`), ['bjensen'], 'URN and names in any case')
  t.same(await select(`${ENTERPRISE}:manager.value eq "m-26118915"`), ['bjensen'])
  t.same(await select(`${CUSTOM}:badge eq "b-100"`), ['bjensen'], 'kept in the jsonb column, case-insensitive')
  t.same(await select(`${CUSTOM}:Desk.Floor eq "3"`), ['bjensen'])
  t.same(await select(`not (${CUSTOM}:badge pr)`), except('bjensen'))
  const { sql, bindings } = filterToSql(parseFilter(`${CUSTOM}:badge eq "B-100"`), users)
  t.equal(sql, '(lower((jsonb_extract_path_text(p.kept, ?, ?))) = lower(?::text))', 'the kept attribute\'s name is bound, not written')
  t.same(bindings, [CUSTOM.toLowerCase(), 'badge', 'B-100'])
})

t.test('unknown attributes are invalidFilter errors naming them', async t => {
  const rejects = (filter: string, message: string) => {
    let error: unknown
    try { filterToSql(parseFilter(filter), users) } catch (e) { error = e }
    t.ok(error instanceof ScimFilterError, filter)
    t.match(error, { scimType: 'invalidFilter', status: 400, message }, filter)
  }
  rejects('nickName eq "x"', 'unknown attribute "nickName" in the filter')
  rejects('title.x eq "x"', 'unknown attribute "title.x" in the filter')
  rejects('emails.display eq "x"', 'unknown attribute "emails.display" in the filter')
  rejects('emails[display eq "x"]', 'unknown attribute "emails.display" in the filter')
  rejects('name[familyName eq "x"]', 'unknown attribute "name.familyName" in the filter')
  rejects('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"', 'unknown attribute "urn:ietf:params:scim:schemas:core:2.0:Group:displayName" in the filter')
  rejects(`${ENTERPRISE}:department eq "x"`, `unknown attribute "${ENTERPRISE}:department" in the filter`)
  rejects('urn:other:schema:badge eq "x"', 'unknown attribute "urn:other:schema:badge" in the filter')
  rejects('emails[constructor eq "x"]', 'unknown attribute "emails.constructor" in the filter')
  rejects('emails.toString eq "x"', 'unknown attribute "emails.toString" in the filter')
  rejects('addresses co "x"', '"addresses" has no "value" sub-attribute to compare: name one, as in "addresses.type"')
})

t.test('a single-valued complex attribute takes a value path over its sub-attributes', async t => {
  const named = defineFilterAttributes({
    coreSchema: USER,
    attributes: { 'name.familyName': { sql: 'p.title', type: 'string' }, 'name.givenName': { sql: 'p.user_name', type: 'string' } }
  })
  t.same(await select('name[familyName eq "manager" and givenName sw "O"]', named), ["o'malley"])
})

t.test('the SQL is parenthesised, so it combines with other conditions as it is', async t => {
  const { sql, bindings } = filterToSql(parseFilter('userName eq "bjensen" or userName eq "xay"'), users)
  t.same(await db.rows(builder('scim_filter_people as p').where('p.id', '>', 1).whereRaw(sql, bindings).select('p.user_name')), [{ user_name: 'xay' }])
  t.notOk(/bjensen|xay/.test(sql), 'no value in the SQL text')
})

t.test('userName eq is served by an index on lower(user_name)', { skip: db.kind === 'postgres' ? false : 'checked on PostgreSQL (DATABASE_URL)' }, async t => {
  const { sql, bindings } = filterToSql(parseFilter('userName eq "BJensen"'), users)
  t.equal(sql, '(lower(p.user_name) = lower(?::text))')
  await db.exec('SET enable_seqscan = off')
  t.teardown(() => db.exec('RESET enable_seqscan'))
  const explained = await db.rows<{ 'QUERY PLAN': string }>(builder.raw(`EXPLAIN SELECT p.id FROM scim_filter_people AS p WHERE ${sql}`, bindings))
  const plan = explained.map(row => row['QUERY PLAN']).join('\n')
  t.match(plan, /Index (Only )?Scan .*scim_filter_people_lower_user_name|Bitmap Index Scan on scim_filter_people_lower_user_name/, plan)
  t.notMatch(plan, /Seq Scan/)
})
