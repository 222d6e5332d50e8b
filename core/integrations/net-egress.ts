// ctx.net.address: the egress rules of ctx.http (allowedHosts, the private-address guard and the
// operator's allowlist of private hosts) for a connector that opens a socket itself (SMTP).
import dns from 'node:dns'
import net from 'node:net'
import { normalizeHost, refuseAddress } from '../net/address-guard.ts'
import { notAllowed } from './http.ts'
import { hostGuard } from './http/hosts.ts'

export interface NetEgressOptions {
  allowedHosts: string[]
  allowPrivateHosts?: string[]
  /** The workspace's slug, for the operator's command in a refusal. */
  workspace?: string
}

/**
 * The first address of `host` once the host is allowed and every address it resolves to may be
 * reached (a name with one public and one private address is refused, as ctx.http refuses it).
 * The caller connects to this address, so a name that resolves differently a second later cannot
 * slip a private address through.
 */
export function netEgress (options: NetEgressOptions): { address: (host: string) => Promise<string> } {
  const guard = hostGuard(options.allowedHosts)
  const allowPrivate = new Set((options.allowPrivateHosts ?? []).map(host => normalizeHost(host) ?? host))
  return {
    async address (raw) {
      const host = normalizeHost(raw)
      if (host === null) throw new TypeError(`"${raw}" is not a host name or an IP address`)
      guard(`https://${net.isIPv6(host) ? `[${host}]` : host}`)
      const addresses = net.isIP(host) !== 0 ? [host] : (await dns.promises.lookup(host, { all: true })).map(a => a.address)
      if (!allowPrivate.has(host)) {
        for (const address of addresses) {
          const refused = refuseAddress(host, address)
          if (refused) throw notAllowed(refused, options.workspace)
        }
      }
      return addresses[0]
    }
  }
}
