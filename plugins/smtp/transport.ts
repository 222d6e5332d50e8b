// The nodemailer transport for one workspace's settings: connected to the address ctx.net allowed
// (never the name again), TLS verified against the host name the admin saved, with their CA
// pinned when they gave one. Security "none" only reaches a loopback relay.
import nodemailer, { type Transporter } from 'nodemailer'
import { ConnectorError, type ConnectorContext } from '../../core/sdk.ts'

export interface SmtpSettings extends Record<string, unknown> {
  host: string
  port: number
  security: 'starttls' | 'tls' | 'none'
  username?: string
  password?: string
  fromAddress: string
  fromName?: string
  replyTo?: string
  caPem?: string
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

export async function openTransport (ctx: ConnectorContext<SmtpSettings>): Promise<Transporter> {
  const s = ctx.settings
  const host = s.host.trim().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
  const address = await ctx.net.address(host)
  if (s.security === 'none' && !LOOPBACK.test(address)) {
    throw new ConnectorError('config', `Security "None" is only for a relay on this server; ${host} is ${address}: choose STARTTLS or implicit TLS.`)
  }
  const ca = s.caPem?.trim()
  return nodemailer.createTransport({
    host: address,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    servername: host,
    tls: { servername: host, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    auth: s.username ? { user: s.username, pass: s.password ?? '' } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true
  })
}
