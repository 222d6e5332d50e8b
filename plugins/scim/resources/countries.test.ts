import t from 'tap'
import { COUNTRY_CODES, isCountryCode } from './countries.ts'

t.test('the 249 assigned ISO 3166-1 alpha-2 codes', async t => {
  t.equal(COUNTRY_CODES.size, 249)
  t.ok([...COUNTRY_CODES].every(code => /^[A-Z]{2}$/.test(code)))
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })
  t.same([...COUNTRY_CODES].filter(code => names.of(code) === undefined), [], 'each is a region Intl can name')
})

t.test('lookups ignore case; reserved and user-assigned codes are not countries', async t => {
  t.ok(isCountryCode('DE'))
  t.ok(isCountryCode('de'))
  t.ok(isCountryCode('Gb'))
  for (const code of ['UK', 'EU', 'XK', 'ZZ', 'AA', 'QO', 'USA', '']) t.notOk(isCountryCode(code), code)
})
