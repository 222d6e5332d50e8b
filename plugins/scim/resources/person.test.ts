import t from 'tap'
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { normaliseUser, personOf } from './index.ts'
import { scimErrorOf } from './test-helpers.ts'

const person = (body: Record<string, unknown>) => personOf(normaliseUser(body))

t.test('the people columns a full user gives', async t => {
  t.same(person({
    userName: 'bjensen',
    name: { givenName: ' Barbara ', familyName: 'Jensen' },
    title: 'Tour Guide',
    active: 'False',
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    addresses: [{ streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', type: 'work' }],
    [ENTERPRISE_SCHEMA]: { department: 'Tour Operations', costCenter: '4130', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } }
  }), {
    email: 'bjensen@example.com',
    first_name: 'Barbara',
    last_name: 'Jensen',
    job_title: 'Tour Guide',
    department: 'Tour Operations',
    cost_center: '4130',
    location: 'Hollywood',
    managerId: '26118915-6090-4610-87e4-49d8ca9f808d',
    active: false
  })
})

t.test('absent or blank values are null', async t => {
  t.same(person({ userName: 'a@example.com', title: '   ', name: { givenName: ' ' } }), {
    email: 'a@example.com', first_name: null, last_name: null, job_title: null, department: null, cost_center: null, location: null, managerId: null, active: true
  })
})

t.test('email: the primary, else the work one, else the first', async t => {
  const home = { value: 'home@example.com', type: 'home' }
  const work = { value: 'work@example.com', type: 'Work' }
  const other = { value: 'other@example.com', type: 'other', primary: true }
  t.equal(person({ userName: 'a', emails: [home, work, other] }).email, 'other@example.com')
  t.equal(person({ userName: 'a', emails: [home, work] }).email, 'work@example.com')
  t.equal(person({ userName: 'a', emails: [home, { value: 'second@example.com' }] }).email, 'home@example.com')
  t.equal(person({ userName: 'a', emails: [{ value: ' padded@example.com ' }] }).email, 'padded@example.com')
})

t.test('values that are not email addresses are passed over', async t => {
  t.equal(person({ userName: 'UserName111', emails: [{ value: 'emailName357', type: 'work', Primary: true }, { value: 'testinghome@bob.com', type: 'home' }] }).email,
    'testinghome@bob.com')
  t.equal(person({ userName: 'jyoung@contoso.com', emails: [{ value: 'not an address', primary: true }] }).email, 'jyoung@contoso.com')
})

t.test('without emails, an email-shaped userName is the email', async t => {
  t.equal(person({ userName: 'test.user@okta.local' }).email, 'test.user@okta.local')
})

t.test('no email anywhere is 400 invalidValue naming emails', async t => {
  for (const body of [{ userName: 'jyoung' }, { userName: 'UserName111', emails: [{ value: 'emailName357' }] }]) {
    const error = scimErrorOf(() => person(body))
    t.same([error.status, error.scimType, error.message], [400, 'invalidValue', 'emails must hold an email address: a user needs one, in emails or as userName'])
  }
})

t.test('location: the locality of the primary address, else the work one, else the first (that has a locality)', async t => {
  const address = (locality: string | null, extra: Record<string, unknown> = {}) =>
    locality === null ? { country: 'US', ...extra } : { streetAddress: 's', locality, region: 'r', postalCode: 'p', country: 'US', ...extra }
  t.equal(person({ userName: 'a@example.com', addresses: [address('Home'), address('Work', { type: 'work' }), address('Main', { primary: true })] }).location, 'Main')
  t.equal(person({ userName: 'a@example.com', addresses: [address('Home', { type: 'home' }), address('Work', { type: 'work' })] }).location, 'Work')
  t.equal(person({ userName: 'a@example.com', addresses: [address('First'), address('Second')] }).location, 'First')
  t.equal(person({ userName: 'a@example.com', addresses: [address(null, { primary: true }), address('Elsewhere')] }).location, 'Elsewhere')
})

t.test('managerId from any accepted manager shape', async t => {
  t.equal(person({ userName: 'a@example.com', [ENTERPRISE_SCHEMA]: { Manager: [{ $ref: null, value: 'm-1' }] } }).managerId, 'm-1')
  t.equal(person({ userName: 'a@example.com', [`${ENTERPRISE_SCHEMA}:manager`]: 'm-2' }).managerId, 'm-2')
  t.equal(person({ userName: 'a@example.com', [ENTERPRISE_SCHEMA]: { manager: '' } }).managerId, null)
})
