import t from 'tap'
import { parsePath, ScimPathError, ScimSyntaxError } from './index.ts'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const eq = (attribute: string, value: string) => ({ kind: 'compare', path: { attribute }, operator: 'eq', value })

t.test('the path forms of RFC 7644 §3.5.2', async t => {
  t.same(parsePath('members'), { attribute: 'members' })
  t.same(parsePath('name.familyName'), { attribute: 'name', subAttribute: 'familyName' })
  t.same(parsePath('addresses[type eq "work"]'), { attribute: 'addresses', valueFilter: eq('type', 'work') })
  t.same(parsePath('members[value eq "2819c223-7f76-453a-919d-413861904646"]'),
    { attribute: 'members', valueFilter: eq('value', '2819c223-7f76-453a-919d-413861904646') })
  t.same(parsePath('members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName'),
    { attribute: 'members', valueFilter: eq('value', '2819c223-7f76-453a-919d-413861904646'), subAttribute: 'displayName' })
  t.same(parsePath('emails[type eq "work" and value ew "example.com"]'), {
    attribute: 'emails',
    valueFilter: { kind: 'and', filters: [eq('type', 'work'), { kind: 'compare', path: { attribute: 'value' }, operator: 'ew', value: 'example.com' }] }
  })
  t.same(parsePath('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName'),
    { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'name', subAttribute: 'givenName' })
})

t.test('the paths Entra and Okta send', async t => {
  t.same(parsePath('emails[type eq "work"].value'), { attribute: 'emails', valueFilter: eq('type', 'work'), subAttribute: 'value' })
  t.same(parsePath('phoneNumbers[type eq "mobile"].value'), { attribute: 'phoneNumbers', valueFilter: eq('type', 'mobile'), subAttribute: 'value' })
  t.same(parsePath('addresses[type eq "work"].streetAddress'), { attribute: 'addresses', valueFilter: eq('type', 'work'), subAttribute: 'streetAddress' })
  t.same(parsePath(`${ENTERPRISE}:employeeNumber`), { schema: ENTERPRISE, attribute: 'employeeNumber' })
  t.same(parsePath(`${ENTERPRISE}:manager`), { schema: ENTERPRISE, attribute: 'manager' })
  t.same(parsePath(`${ENTERPRISE}:manager.value`), { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' })
  t.same(parsePath('name.givenName'), { attribute: 'name', subAttribute: 'givenName' })
  t.same(parsePath('active'), { attribute: 'active' })
  t.same(parsePath('Members[Value EQ "b2d6"]'), { attribute: 'Members', valueFilter: { kind: 'compare', path: { attribute: 'Value' }, operator: 'eq', value: 'b2d6' } })
  t.same(parsePath('members[value eq b2d6]'), { attribute: 'members', valueFilter: eq('value', 'b2d6') }, 'unquoted, as lenient as filters')
  // the same form serves `attributes=emails[type eq "work"]`, which Microsoft's validator sends
  t.same(parsePath(' emails[type eq "work"] '), { attribute: 'emails', valueFilter: eq('type', 'work') })
})

t.test('bad paths are invalidPath errors saying what was expected where', async t => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /^expected an attribute name at position 0, found the end of the input$/],
    ['members garbage', 8, /^expected the end of the path at position 8, found "garbage"$/],
    ['members[value eq "x"]extra', 21, /^expected the end of the path at position 21, found "extra"$/],
    ['members[value eq "x"] .display', 22, /^expected the end of the path at position 22/],
    ['members[value eq "x"', 20, /^expected "and", "or" or "\]" at position 20, found the end of the input$/],
    ['members[value eq "x"].', 22, /at position 22, found "\."/],
    ['members[value eq "x"].display.name', 22, /found "display.name"/],
    ['members[value equals "x"]', 14, /^expected an operator .* after "value" at position 14, found "equals"$/],
    ['members[]', 8, /^expected a sub-attribute of "members" at position 8, found "\]"$/],
    ['name.familyName.x', 0, /more than one sub-attribute/],
    ['name.familyName[x pr]', 15, /a value filter follows an attribute, not a sub-attribute/],
    ['(members)', 0, /^expected an attribute name at position 0, found "\("$/],
    ['members[value eq "x"] and x pr', 22, /^expected the end of the path at position 22, found "and"$/],
    ['members[value eq "x]', 17, /^unterminated string starting at position 17$/],
    [`${ENTERPRISE}:`, 59, /at position 59/]
  ]
  for (const [input, position, message] of cases) {
    let error: unknown
    try { parsePath(input) } catch (e) { error = e }
    t.ok(error instanceof ScimPathError && error instanceof ScimSyntaxError, `${input}: a ScimPathError`)
    t.match(error, { scimType: 'invalidPath', status: 400, position, message }, input)
  }
})
