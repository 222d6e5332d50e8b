import dns from 'node:dns'
import net from 'node:net'
import { Agent } from 'undici'

const BLOCKED = new net.BlockList()
for (const [address, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) BLOCKED.addSubnet(address, prefix, 'ipv4')
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) BLOCKED.addSubnet(address, prefix, 'ipv6')

/** Private, loopback, link-local and unspecified addresses (IPv4-mapped IPv6 as its IPv4). */
export function isPrivateAddress (ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4')
  const family = net.isIP(ip)
  if (family === 0) return true
  return BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6')
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS'
  constructor (host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address; webhooks are not sent there`)
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/**
 * The lookup of the connection itself, so the address checked is the address connected to (a
 * name that resolves differently a second later cannot slip through).
 */
function guardedLookup (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, [])
    const refused = addresses.find(a => isPrivateAddress(a.address))
    if (refused) return callback(new PrivateAddressError(hostname, refused.address), [])
    if (options.all) return callback(null, addresses)
    callback(null, addresses[0].address, addresses[0].family)
  })
}

/** An undici dispatcher for webhook deliveries: refuses private destinations unless allowed. */
export function webhookAgent (allowPrivate: boolean): Agent {
  return new Agent({ connect: allowPrivate ? {} : { lookup: guardedLookup as never }, keepAliveTimeout: 10_000 })
}

/** An IP literal in the URL is not looked up, so it is checked before connecting. */
export function refusedLiteral (url: URL, allowPrivate: boolean): PrivateAddressError | null {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (allowPrivate || net.isIP(host) === 0 || !isPrivateAddress(host)) return null
  return new PrivateAddressError(host, host)
}
