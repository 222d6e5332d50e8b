// The range decision behind ctx.http's and the webhooks' private-address guard: ordinary global
// unicast passes, every special-purpose range of ipaddr.js is refused (IPv4-mapped IPv6 as its IPv4).
import t from 'tap'
import { normalizeHost, refusedDestination, refusedLiteral, specialRange } from '../core/net/address-guard.ts'

const REFUSED: Array<[string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.1.2.3', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'linkLocal'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::7f00:1', 'ipv4Compatible'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'linkLocal'],
  ['::ffff:0:127.0.0.1', 'rfc6145'],
  ['64:ff9b::7f00:1', 'rfc6052'],
  ['64:ff9b::808:808', 'rfc6052'],
  ['64:ff9b:1::a00:1', 'rfc6052'],
  ['100::1', 'discard'],
  ['2001::1', 'teredo'],
  ['2001:db8::1', 'reserved'],
  ['2002:7f00:1::', '6to4'],
  ['2002:808:808::1', '6to4'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['ff02::1', 'multicast'],
  ['not an address', 'invalid']
]
const ALLOWED = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '198.20.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2001:4860:4860::8888']

t.test('every special-purpose range is refused, by its ipaddr.js name', async t => {
  for (const [address, range] of REFUSED) t.equal(specialRange(address), range, `${address} is ${range}`)
  for (const address of ALLOWED) t.equal(specialRange(address), null, `${address} is ordinary unicast`)
})

t.test('IP literals in URLs, however spelt, are refused before connecting', async t => {
  const literal = (url: string) => refusedLiteral(new URL(url))
  t.match(literal('http://127.0.0.1:8080/x'), { host: '127.0.0.1', address: '127.0.0.1', range: 'loopback', message: '127.0.0.1 is a loopback address' })
  t.match(literal('http://2130706433/'), { address: '127.0.0.1', range: 'loopback' }, 'a decimal IPv4 address is one too')
  t.match(literal('http://0x7f.1/'), { address: '127.0.0.1', range: 'loopback' }, 'and a hex one')
  t.match(literal('http://[::ffff:127.0.0.1]/'), { address: '::ffff:7f00:1', range: 'loopback' })
  t.match(literal('http://[64:ff9b::127.0.0.1]/'), { range: 'rfc6052' })
  t.match(literal('http://[2002:7f00:1::]/'), { range: '6to4' })
  t.match(literal('https://198.18.0.1/'), { range: 'reserved', message: /^198\.18\.0\.1 is a reserved address/ })
  t.equal(literal('https://8.8.8.8/'), null)
  t.equal(literal('https://localhost/'), null, 'a name is checked when it is looked up, not here')
})

t.test('a destination is refused when its name resolves to a refused address', async t => {
  t.match(await refusedDestination(new URL('http://localhost:9/x')), { host: 'localhost', address: '127.0.0.1', range: 'loopback', message: 'localhost resolves to 127.0.0.1, a loopback address' })
  t.match(await refusedDestination(new URL('http://[::1]/')), { range: 'loopback' })
  t.equal(await refusedDestination(new URL('https://no-such-host.invalid/')), null, 'a name that does not resolve is left to the connect-time check')
})

t.test('hosts are spelt one way', async t => {
  t.equal(normalizeHost(' Jamf.Corp.Example. '), 'jamf.corp.example')
  t.equal(normalizeHost('[::FFFF:127.0.0.1]'), '::ffff:7f00:1')
  t.equal(normalizeHost('0:0:0:0:0:0:0:1'), '::1')
  t.equal(normalizeHost('10.0.0.5'), '10.0.0.5')
  for (const bad of ['https://jamf.corp', 'jamf.corp:8443', 'jamf.corp/api', '*.corp', '', 'a..b', '-bad.example']) t.equal(normalizeHost(bad), null, `${JSON.stringify(bad)} is not a host`)
})
