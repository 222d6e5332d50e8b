import t from 'tap'
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { normaliseUser } from './index.ts'
import { scimErrorOf } from './test-helpers.ts'

const fullAddress = { streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US' }

function refusal (body: Record<string, unknown>): { status: number, scimType: string | undefined, message: string } {
  const { status, scimType, message } = scimErrorOf(() => normaliseUser(body))
  return { status, scimType, message }
}

const invalidValue = (message: string) => ({ status: 400, scimType: 'invalidValue', message })

t.test('userName is required, not blank, at most 255 characters', async t => {
  t.same(refusal({ name: { givenName: 'A' } }), invalidValue('userName is required'))
  t.same(refusal({ userName: '' }), invalidValue('userName is required'), '"" is no value')
  t.same(refusal({ userName: null }), invalidValue('userName is required'))
  t.same(refusal({ userName: '   ' }), invalidValue('userName must not be blank'))
  t.same(refusal({ userName: 'x'.repeat(256) }), invalidValue('userName must be at most 255 characters'))
  t.equal(normaliseUser({ userName: 'x'.repeat(255) }).userName.length, 255)
  t.equal(normaliseUser({ userName: '😀'.repeat(255) }).userName, '😀'.repeat(255), 'characters are code points, not UTF-16 units')
})

t.test('title is at most 255 characters', async t => {
  t.same(refusal({ userName: 'a', title: 't'.repeat(256) }), invalidValue('title must be at most 255 characters'))
  t.equal(normaliseUser({ userName: 'a', title: 't'.repeat(255) }).title?.length, 255)
})

t.test('the attributes that become 255-character people columns are limited too', async t => {
  const long = 'x'.repeat(256)
  t.same(refusal({ userName: 'a', name: { givenName: long } }), invalidValue('name.givenName must be at most 255 characters'))
  t.same(refusal({ userName: 'a', name: { familyName: long } }), invalidValue('name.familyName must be at most 255 characters'))
  t.same(refusal({ userName: 'a', [ENTERPRISE_SCHEMA]: { department: long } }), invalidValue(`${ENTERPRISE_SCHEMA}:department must be at most 255 characters`))
  t.same(refusal({ userName: 'a', [ENTERPRISE_SCHEMA]: { costCenter: long } }), invalidValue(`${ENTERPRISE_SCHEMA}:costCenter must be at most 255 characters`))
  t.same(refusal({ userName: 'a', addresses: [{ ...fullAddress, locality: long }] }), invalidValue('addresses[0].locality must be at most 255 characters'))
  t.ok(normaliseUser({ userName: 'a', name: { formatted: long }, displayName: long }), 'other attributes are not limited')
})

t.test('phoneNumbers[].value is at most 20 characters', async t => {
  t.same(refusal({ userName: 'a', phoneNumbers: [{ value: '312-320-0500' }, { value: '+1 (312) 320-0500 x12' }] }),
    invalidValue('phoneNumbers[1].value must be at most 20 characters'))
  t.ok(normaliseUser({ userName: 'a', phoneNumbers: [{ value: '+1 (312) 320-0500 x1' }] }))
})

t.test('an address gives its five parts together, or only a country', async t => {
  t.ok(normaliseUser({ userName: 'a', addresses: [fullAddress] }))
  t.ok(normaliseUser({ userName: 'a', addresses: [{ formatted: '18522 Lisa Unions\nEast Gregory, CT 52311', type: 'other' }] }), 'none of the parts')
  t.ok(normaliseUser({ userName: 'a', addresses: [{ country: 'ML', type: 'work', primary: true }] }), 'a country alone')
  t.same(refusal({ userName: 'a', addresses: [fullAddress, { locality: 'Paris', country: 'FR' }] }),
    invalidValue('addresses[1] is missing streetAddress, region, postalCode (an address gives streetAddress, locality, region, postalCode and country together, or only a country)'))
  t.same(refusal({ userName: 'a', addresses: [{ ...fullAddress, country: null }] }),
    invalidValue('addresses[0] is missing country (an address gives streetAddress, locality, region, postalCode and country together, or only a country)'))
  t.same(refusal({ userName: 'a', addresses: [{ locality: 'Oxford' }] }).message,
    'addresses[0] is missing streetAddress, region, postalCode, country (an address gives streetAddress, locality, region, postalCode and country together, or only a country)')
})

t.test('a two-letter country is an ISO 3166-1 alpha-2 code; longer values are names and kept', async t => {
  t.same(refusal({ userName: 'a', addresses: [{ ...fullAddress, country: 'XX' }] }),
    invalidValue('addresses[0].country must be an ISO 3166-1 alpha-2 code, such as DE or US'))
  t.same(refusal({ userName: 'a', addresses: [{ country: 'UK' }] }).message, 'addresses[0].country must be an ISO 3166-1 alpha-2 code, such as DE or US')
  t.equal(normaliseUser({ userName: 'a', addresses: [{ country: 'de' }] }).addresses?.[0].country, 'de', 'any case, kept as sent')
  for (const country of ['GB', 'AX', 'SS', 'BQ', 'Germany', 'Bermuda', 'bahams']) {
    t.equal(normaliseUser({ userName: 'a', addresses: [{ country }] }).addresses?.[0].country, country)
  }
})

t.test('preferredLanguage is a language tag (BCP 47), or an Accept-Language list of them', async t => {
  for (const preferredLanguage of ['en', 'en-US', 'zh-Hant-TW', 'xh', 'es-419', 'de-CH-1901', 'da, en-gb;q=0.8, en;q=0.7', '*']) {
    t.equal(normaliseUser({ userName: 'a', preferredLanguage }).preferredLanguage, preferredLanguage)
  }
  for (const preferredLanguage of ['en_US', 'English (UK)', '123', 'e', 'en-', 'en;q=2', 'en,,fr']) {
    t.same(refusal({ userName: 'a', preferredLanguage }),
      invalidValue('preferredLanguage must be a language tag (BCP 47), such as en, en-US or zh-Hant-TW'), preferredLanguage)
  }
  t.equal(normaliseUser({ userName: 'a', locale: 'en_US' }).locale, 'en_US', 'locale is not checked (Okta profiles hold en_US)')
})

t.test('at most one primary value per multi-valued attribute', async t => {
  const two = [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', Primary: 'True' }]
  t.same(refusal({ userName: 'a', emails: two }), invalidValue('emails must have at most one value with primary true'))
  t.same(refusal({ userName: 'a', addresses: [{ country: 'US', primary: true }, { country: 'DE', primary: true }] }),
    invalidValue('addresses must have at most one value with primary true'))
  t.ok(normaliseUser({ userName: 'a', emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: false }] }))
  t.ok(normaliseUser({ userName: 'a', emails: [{ value: 'a@example.com', primary: true }], phoneNumbers: [{ value: '1', primary: true }] }))
})

t.test('emails[].value is not checked for email syntax (the Microsoft collection sends "emailName357")', async t => {
  t.same(normaliseUser({ userName: 'a', emails: [{ value: 'emailName357', primary: true }] }).emails, [{ value: 'emailName357', primary: true }])
})
