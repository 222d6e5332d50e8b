// A vendor's https host (accounts.google.com) on loopback for Chromium: a TLS front with a
// self-signed certificate for the host, passing the decrypted bytes to a peer that speaks plain
// HTTP on 127.0.0.1, and the --host-resolver-rules switch that sends the host there. The browser
// then really goes to https://accounts.google.com/… and follows the vendor's redirects itself,
// cookies and all (Playwright's request interception does not see the targets of redirects).
import { once } from 'node:events'
import { connect, type AddressInfo } from 'node:net'
import { createServer } from 'node:tls'
import { selfSignedCertificate } from './certificate.ts'

export interface VendorHosts {
  /** Chromium switches: launchBrowser(…, { args, ignoreHTTPSErrors: true }). */
  args: string[]
  close: () => Promise<void>
}

/** Each host (e.g. `accounts.google.com`) reaches the peer listening at its http://127.0.0.1:<port> URL. */
export async function vendorHostsOnLoopback (routes: Record<string, string>): Promise<VendorHosts> {
  const rules: string[] = []
  const servers: Array<ReturnType<typeof createServer>> = []
  const open = new Set<{ destroy: () => void }>()
  for (const [host, peerUrl] of Object.entries(routes)) {
    const { privateKey, certificate } = await selfSignedCertificate(host)
    const peerPort = Number(new URL(peerUrl).port)
    const server = createServer({ key: privateKey, cert: certificate }, socket => {
      const upstream = connect(peerPort, '127.0.0.1')
      open.add(socket).add(upstream)
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
      socket.pipe(upstream).pipe(socket)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    servers.push(server)
    rules.push(`MAP ${host} 127.0.0.1:${(server.address() as AddressInfo).port}`)
  }
  return {
    args: [`--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors'],
    close: async () => {
      for (const socket of open) socket.destroy()
      await Promise.all(servers.map(async s => await new Promise(resolve => s.close(resolve))))
    }
  }
}
