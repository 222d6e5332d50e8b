import t from 'tap'
import { attribute, complex, multiValued } from './attribute.ts'

t.test('attribute() applies the defaults of RFC 7643 §2.2', async t => {
  t.strictSame(attribute('nickName', 'A casual name.'), {
    name: 'nickName',
    type: 'string',
    multiValued: false,
    description: 'A casual name.',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none'
  })
})

t.test('options override the defaults, and empty lists are left out', async t => {
  t.strictSame(attribute('type', 'A label.', { canonicalValues: [], referenceTypes: [], caseExact: true }),
    { ...attribute('type', 'A label.'), caseExact: true })
  t.strictSame(Object.keys(attribute('photo', 'A URL.', { type: 'reference', referenceTypes: ['external'], canonicalValues: ['a'] })),
    ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'canonicalValues', 'referenceTypes', 'mutability', 'returned', 'uniqueness'])
})

t.test('complex() and multiValued() make complex attributes', async t => {
  const value = attribute('value', 'The value.')
  t.match(complex('name', 'A name.', [value]), { type: 'complex', multiValued: false, subAttributes: [value] })
  t.match(multiValued('emails', 'Emails.', [value], { mutability: 'readOnly' }),
    { type: 'complex', multiValued: true, mutability: 'readOnly', subAttributes: [value] })
})
