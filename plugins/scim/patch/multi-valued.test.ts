import t from 'tap'
import { appendNew, withoutValues } from './multi-valued.ts'

// Adding and removing values matches elements by key; these pin down that it matches exactly what
// one-by-one comparison (sameElement) did.

t.test('members are matched by value, case-exact; emails by value and type, case-insensitive', async t => {
  const members: unknown[] = [{ value: 'a1' }, { value: 'B2', display: 'Bee' }]
  t.same(appendNew('members', members, [{ value: 'a1' }, { value: 'b2' }, { value: 'c3' }, { value: 'c3' }]), [{ value: 'b2' }, { value: 'c3' }])
  t.equal(members.length, 4)

  const emails: unknown[] = [{ value: 'Ann@X.test', type: 'work', primary: true }]
  t.same(appendNew('emails', emails, [{ value: 'ann@x.test', type: 'WORK' }]), [], 'the same address and type, in another case')
  t.same(appendNew('emails', emails, [{ value: 'ann@x.test', type: 'home' }]), [{ value: 'ann@x.test', type: 'home' }], 'another type is another element')
  t.same(appendNew('emails', emails, [{ value: 'ann@x.test' }]), [{ value: 'ann@x.test' }], 'no type is not the work one')
})

t.test('elements without a scalar value are compared whole', async t => {
  const roles: unknown[] = [{ display: 'x' }, { value: { nested: 1 } }]
  t.same(appendNew('roles', roles, [{ display: 'x' }, { value: { nested: 1 } }, { display: 'y' }, 7, 7]), [{ display: 'y' }, 7])
  t.same(appendNew('members', [{ value: 1 }], [{ value: '1' }, { value: 1 }, { value: true }, { value: null }]), [{ value: '1' }, { value: true }, { value: null }], 'numbers, strings, booleans and null are all different')
})

t.test('removal by value array, by whole element, and with 10,000 members', async t => {
  const members = Array.from({ length: 10_000 }, (_, i) => ({ value: `m${i}` }))
  const kept = withoutValues('members', members, [{ value: 'm1' }, { value: 'M2' }, { value: 'm9999' }])
  t.equal(kept.length, 9_998, 'members are case-exact: M2 is not m2')
  t.same(withoutValues('emails', [{ value: 'A@x.test', type: 'work' }, { value: 'b@x.test' }, { display: 'z' }], [{ value: 'a@X.test' }, { display: 'z' }]), [{ value: 'b@x.test' }])
})
