// The fake of Email (SMTP) is a real SMTP server on loopback (smtp-server, parsed with mailparser): STARTTLS with a
// fresh self-signed certificate for "localhost" (the client pins it as its CA), AUTH PLAIN/LOGIN
// for one account (anything else: 535), recipients at refused.test answered 550, every accepted
// message parsed and kept. And a relay that accepts the connection and drops it at once.
import { execFile } from 'node:child_process'
import dns from 'node:dns'
import fs from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { FakeOptions, PluginFake } from '../../core/sdk/testing.ts'

export interface SmtpPeer {
  host: 'localhost'
  port: number
  /** The server's certificate, to pin as the custom CA. */
  certificate: string
  messages: ParsedMail[]
  /** Each AUTH attempt's username, and whether it got in. */
  logins: Array<{ username: string, ok: boolean }>
  close: () => Promise<void>
}

export const SMTP_USER = 'stocktake@acme.test'
export const SMTP_PASSWORD = 'correct horse battery staple'

/** RSA key and self-signed certificate with subjectAltName DNS:localhost, made by openssl. */
export async function localhostCertificate (): Promise<{ key: string, cert: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-smtp-'))
  try {
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')])
    return { key: await fs.readFile(path.join(dir, 'key.pem'), 'utf8'), cert: await fs.readFile(path.join(dir, 'cert.pem'), 'utf8') }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** The address "localhost" resolves to first here, which is where a client given "localhost" connects. */
async function localhostAddress (): Promise<string> {
  return (await dns.promises.lookup('localhost')).address
}

/** `secure`: implicit TLS from the first byte (port 465 style) instead of STARTTLS; `authOptional`: a relay that takes mail without a sign-in. */
export async function startSmtpPeer (tls?: { key: string, cert: string, secure?: boolean, authOptional?: boolean }): Promise<SmtpPeer> {
  const { key, cert } = tls ?? await localhostCertificate()
  const messages: ParsedMail[] = []
  const logins: SmtpPeer['logins'] = []
  const server = new SMTPServer({
    secure: tls?.secure ?? false,
    authOptional: tls?.authOptional ?? false,
    key,
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 10 * 1024 * 1024,
    logger: false,
    onAuth (auth, _session, callback) {
      const ok = auth.username === SMTP_USER && auth.password === SMTP_PASSWORD
      logins.push({ username: auth.username ?? '', ok })
      if (!ok) return callback(new Error('Invalid username or password'))
      callback(null, { user: auth.username })
    },
    onRcptTo (address, _session, callback) {
      if (address.address.endsWith('@refused.test')) {
        return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }))
      }
      callback()
    },
    onData (stream, _session, callback) {
      simpleParser(stream).then(mail => { messages.push(mail); callback() }, err => callback(err as Error))
    }
  })
  const host = await localhostAddress()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const port = ((server as unknown as { server: net.Server }).server.address() as AddressInfo).port
  return {
    host: 'localhost',
    port,
    certificate: cert,
    messages,
    logins,
    close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) }
  }
}

/** For the conformance suite and connectorTest: the peer, and settings that reach it (a wrong password when asked). */
export async function startFake (options: FakeOptions = {}): Promise<PluginFake & { peer: SmtpPeer }> {
  const peer = await startSmtpPeer()
  return {
    url: `smtp://localhost:${peer.port}`,
    settings: {
      host: peer.host,
      port: peer.port,
      security: 'starttls',
      username: SMTP_USER,
      password: options.rejectCredentials === true ? 'not the password' : SMTP_PASSWORD,
      fromAddress: 'stocktake@acme.test',
      caPem: peer.certificate
    },
    peer,
    close: peer.close
  }
}

/** A relay that takes each connection and drops it before its greeting; counts the connections. */
export async function startDroppingRelay (): Promise<{ port: number, connections: () => number, close: () => Promise<void> }> {
  let count = 0
  const server = net.createServer(socket => { count++; socket.destroy() })
  const host = await localhostAddress()
  await new Promise<void>(resolve => server.listen(0, host, () => resolve()))
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) }
  }
}
