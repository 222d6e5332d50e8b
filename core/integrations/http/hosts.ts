// allowedHosts: which URLs a plugin may call. Exact hosts ('graph.microsoft.com', optionally
// with ':port') or wildcards ('*.example.com' = one or more labels before example.com), or '*':
// any https host, for a plugin whose hosts are each tenant's own (the SAML plugin's IdP metadata
// URLs) and that sends no secret (discovery refuses '*' beside secret settings, oauth2 or
// headerAuth); the private-address guard still refuses private addresses.
import { HostNotAllowedError } from '../http-types.ts'

/** The pattern meaning any public https host. */
export const ANY_HTTPS_HOST = '*'

interface HostPattern { any?: true, wildcard: boolean, hostname: string, port: string | null }

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' }

function normalizeHostname (hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '')
}

function parsePattern (raw: string): HostPattern {
  const text = raw.trim().toLowerCase()
  if (text === ANY_HTTPS_HOST) return { any: true, wildcard: false, hostname: '', port: null }
  // '[::1]:8080', '[::1]', 'host:443', 'host', '*.host'
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text)
  if (match === null) throw new Error(`invalid allowedHosts pattern '${raw}'`)
  let hostname = match[1]
  const wildcard = hostname.startsWith('*.')
  if (wildcard) hostname = hostname.slice(2)
  if (hostname === '' || hostname.includes('*') || hostname.includes('/')) {
    throw new Error(`invalid allowedHosts pattern '${raw}'`)
  }
  return { wildcard, hostname: normalizeHostname(hostname), port: match[2] ?? null }
}

function matches (pattern: HostPattern, url: URL): boolean {
  if (pattern.any === true) return url.protocol === 'https:'
  const hostname = normalizeHostname(url.hostname)
  if (pattern.port !== null) {
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port
    if (port !== pattern.port) return false
  }
  return pattern.wildcard
    ? hostname.endsWith(`.${pattern.hostname}`) && hostname.length > pattern.hostname.length + 1
    : hostname === pattern.hostname
}

/** Compiles the patterns once; the returned guard parses a URL and throws unless it may be called. */
export function hostGuard (patterns: string[]): (url: string | URL) => URL {
  const compiled = patterns.map(parsePattern)
  return (input) => {
    const url = new URL(input)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`only http: and https: URLs may be called, not ${url.protocol}`)
    }
    if (!compiled.some(pattern => matches(pattern, url))) throw new HostNotAllowedError(url.host)
    return url
  }
}
