// Which addresses outbound requests (webhook deliveries, ctx.http of integrations) may reach:
// ordinary global unicast only. The special-purpose ranges are ipaddr.js's names (loopback,
// private, linkLocal, uniqueLocal, carrierGradeNat, benchmarking, reserved, rfc6052 (NAT64),
// 6to4, teredo…), so the list is kept by a library that follows the IANA registries, not by hand.
// Checked twice: on IP literals before connecting, and on the address a name resolves to in the
// connection's own lookup, so the address checked is the address connected to.
import dns from 'node:dns'
import net from 'node:net'
import ipaddr from 'ipaddr.js'
import { Agent } from 'undici'

// IPv4-compatible IPv6 (::a.b.c.d, RFC 4291 §2.5.5.1) is deprecated and has no name in ipaddr.js;
// ::1 and :: keep their own names (loopback, unspecified), which subnetMatch finds first.
const IPV4_COMPATIBLE = { ipv4Compatible: [ipaddr.IPv6.parse('::'), 96] as [ipaddr.IPv6, number] }

const RANGE_WORDS: Record<string, string> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  uniqueLocal: 'a private (unique local) IPv6 address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  benchmarking: 'a benchmarking address',
  reserved: 'a reserved address (documentation, benchmarking or future use)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  rfc6052: 'a NAT64 address (it embeds an IPv4 address)',
  rfc6145: 'an IPv4-translated address',
  '6to4': 'a 6to4 address (it embeds an IPv4 address)',
  teredo: 'a Teredo address (it embeds an IPv4 address)',
  ipv4Compatible: 'an IPv4-compatible IPv6 address'
}

/**
 * The special-purpose range an IP address is in (ipaddr.js's name, e.g. "loopback", "private",
 * "rfc6052"), or null for an ordinary global unicast address. An IPv4-mapped IPv6 address is judged
 * as its IPv4 address; whatever is not an IP address at all is "invalid".
 */
export function specialRange (address: string): string | null {
  const text = address.replace(/^\[|\]$/g, '')
  if (!ipaddr.isValid(text)) return 'invalid'
  const ip = ipaddr.process(text)
  let range: string = ip.range()
  if (range === 'unicast' && ip.kind() === 'ipv6') range = ipaddr.subnetMatch(ip, IPV4_COMPATIBLE, 'unicast')
  return range === 'unicast' ? null : range
}

/** "a loopback address", "a NAT64 address (…)": a range in the words of an error message. */
export function describeRange (range: string): string {
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`
}

/** A host that is, or resolves to, an address outbound requests may not reach. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS'
  constructor (readonly host: string, readonly address: string, readonly range: string) {
    super(`${host === address ? `${host} is` : `${host} resolves to ${address},`} ${describeRange(range)}`)
    this.name = 'PrivateAddressError'
  }
}

/** The refusal of one address of `host`, or null when it may be reached. */
export function refuseAddress (host: string, address: string): PrivateAddressError | null {
  const range = specialRange(address)
  return range === null ? null : new PrivateAddressError(host, address, range)
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/

/**
 * One spelling per host, so the allowlist and a URL's host compare equal: lower case, no trailing
 * dot, IPv6 without brackets and in its short form. Null when `raw` is not a host.
 */
export function normalizeHost (raw: string): string | null {
  const host = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
  if (net.isIP(host) !== 0) return ipaddr.parse(host).toString()
  if (host.length === 0 || host.length > 253) return null
  return host.split('.').every(label => LABEL.test(label)) ? host : null
}

/** A URL's host in normalizeHost's spelling (a URL's host always is one). */
export function bareHostname (url: URL): string {
  return normalizeHost(url.hostname) ?? url.hostname
}

/** An IP literal in the URL is not looked up, so it is checked before connecting. */
export function refusedLiteral (url: URL): PrivateAddressError | null {
  const host = bareHostname(url)
  return net.isIP(host) === 0 ? null : refuseAddress(host, host)
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/**
 * The lookup of the connection itself: every address the name resolves to must be an ordinary
 * one, else the connection fails with a PrivateAddressError (a name that resolves differently a
 * second later cannot slip through, and neither can a name with one public and one private address).
 */
export function guardedLookup (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, [])
    for (const { address } of addresses) {
      const refused = refuseAddress(hostname, address)
      if (refused) return callback(refused, [])
    }
    if (options.all) return callback(null, addresses)
    callback(null, addresses[0].address, addresses[0].family)
  })
}

/** An undici Agent whose connections reach ordinary addresses only. */
export function guardedAgent (options: Agent.Options = {}): Agent {
  return new Agent({ ...options, connect: { lookup: guardedLookup as never } })
}

const RESOLVE_TIMEOUT_MS = 5000

async function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Before anything is stored (a webhook's URL): the refusal of the URL's host, whether an IP
 * literal or a name with any refused address, or null. A name that does not resolve (yet, or within
 * 5 s) is not refused here: the connect-time check stays, since DNS can change.
 */
export async function refusedDestination (url: URL): Promise<PrivateAddressError | null> {
  const literal = refusedLiteral(url)
  if (literal !== null || net.isIP(bareHostname(url)) !== 0) return literal
  let addresses: dns.LookupAddress[]
  try {
    addresses = await withTimeout(dns.promises.lookup(bareHostname(url), { all: true }), RESOLVE_TIMEOUT_MS)
  } catch {
    return null
  }
  for (const { address } of addresses) {
    const refused = refuseAddress(bareHostname(url), address)
    if (refused) return refused
  }
  return null
}

/** The PrivateAddressError an error is, or was caused by (undici may wrap connect errors). */
export function privateAddressCause (err: unknown): PrivateAddressError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PrivateAddressError) return e
  }
  return null
}
