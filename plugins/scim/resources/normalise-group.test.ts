import t from 'tap'
import { GROUP_SCHEMA } from '../schemas.ts'
import { normaliseGroup } from './index.ts'
import { scimErrorOf } from './test-helpers.ts'

t.test('a body that is not an object is 400 invalidSyntax', async t => {
  for (const body of [null, 'group', [], 1]) t.equal(scimErrorOf(() => normaliseGroup(body)).scimType, 'invalidSyntax')
})

t.test('displayName is required and not blank', async t => {
  for (const body of [{}, { displayName: null }, { displayName: '' }, { members: [] }]) {
    const error = scimErrorOf(() => normaliseGroup(body))
    t.same([error.status, error.scimType, error.message], [400, 'invalidValue', 'displayName is required'], JSON.stringify(body))
  }
  t.equal(scimErrorOf(() => normaliseGroup({ displayName: '  ' })).message, 'displayName must not be blank')
  t.equal(scimErrorOf(() => normaliseGroup({ displayName: ['x'] })).message, 'displayName must be a string')
})

t.test('schemas is the group schema; id, meta and unknown schema URIs are dropped; unknown attributes kept', async t => {
  t.same(normaliseGroup({
    schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    id: 'x',
    ExternalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    DisplayName: 'displayName',
    meta: { resourceType: 'Group' },
    description: 'kept'
  }), { schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', description: 'kept', members: [] })
})

t.test('members: absent, null or [] is an empty list', async t => {
  t.same(normaliseGroup({ displayName: 'g' }).members, [])
  t.same(normaliseGroup({ displayName: 'g', members: null }).members, [])
  t.same(normaliseGroup({ displayName: 'g', members: [] }).members, [])
})

t.test('members are {value, display?, $ref?, type?}, in any casing; a bare string is a value', async t => {
  t.same(normaliseGroup({
    displayName: 'g',
    Members: [
      { Value: 'u1', Display: 'VP', $Ref: 'https://x/Users/u1', Type: 'User', extra: 'dropped' },
      'string id 1',
      { value: 'u2', displayName: 'new User' },
      { value: 'u3', display: 'shown', displayName: 'not used' },
      42
    ]
  }).members, [
    { value: 'u1', display: 'VP', $ref: 'https://x/Users/u1', type: 'User' },
    { value: 'string id 1' },
    { value: 'u2', display: 'new User' },
    { value: 'u3', display: 'shown' },
    { value: '42' }
  ])
})

t.test('a single member is wrapped; a repeated value is one member', async t => {
  t.same(normaliseGroup({ displayName: 'g', members: { value: 'u1' } }).members, [{ value: 'u1' }])
  t.same(normaliseGroup({ displayName: 'g', members: 'string id 2' }).members, [{ value: 'string id 2' }])
  t.same(normaliseGroup({ displayName: 'g', members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u1', display: 'Alice' }] }).members,
    [{ value: 'u1', display: 'Alice' }, { value: 'u2' }])
})

t.test('a member without a value, or of the wrong type, is 400 invalidValue', async t => {
  t.equal(scimErrorOf(() => normaliseGroup({ displayName: 'g', members: [{ value: 'u1' }, { display: 'x' }] })).message, 'members[1].value is required')
  t.same(normaliseGroup({ displayName: 'g', members: [{ value: '' }, { value: null }] }).members, [], 'a member left with nothing is no member')
  t.equal(scimErrorOf(() => normaliseGroup({ displayName: 'g', members: [true] })).message, 'members[0] must be an object with a value')
  t.equal(scimErrorOf(() => normaliseGroup({ displayName: 'g', members: [{ value: { id: 1 } }] })).message, 'members[0].value must be a string')
})

t.test('normalising a document again changes nothing', async t => {
  const once = normaliseGroup({ displayName: 'g', members: ['a', { value: 'b', displayName: 'B' }] })
  t.same(normaliseGroup(once), once)
})
