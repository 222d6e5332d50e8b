// What went wrong at the SMTP server, as the admin must read it: nodemailer's error codes and the
// server's reply codes (RFC 5321 §4.2) mapped to a ConnectorError reason. "network" (and a 4xx
// reply: try again later) is what the mail service retries; the rest fail the message at once.
import { ConnectorError } from '../../core/sdk.ts'

interface SmtpError { name?: string, code?: string, responseCode?: number, response?: string, command?: string, message?: string, rejected?: string[] }

const TLS_PROBLEMS = /certificate|self[- ]signed|unable to (get|verify)|altnames|hostname\/ip does not match|ERR_TLS|wrong version number/i

export function smtpFailure (err: unknown, host: string): ConnectorError {
  if (err instanceof ConnectorError) return err
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError
  const reply = e.response ? ` The server said: ${e.response.trim().slice(0, 300)}` : ''
  const code = e.responseCode ?? 0
  if (e.name === 'AddressNotAllowedError' || e.name === 'HostNotAllowedError') return new ConnectorError('config', String(e.message), { cause: err })
  if (e.code === 'EAUTH') {
    return code === 538
      ? new ConnectorError('config', `${host} asks for encryption before sign-in: choose STARTTLS or implicit TLS.${reply}`, { cause: err })
      : new ConnectorError('auth', `${host} refused the username or password.${reply}`, { cause: err })
  }
  if (e.code === 'ENOAUTH' || code === 530) return new ConnectorError('auth', `${host} asks for a sign-in: enter a username and password.${reply}`, { cause: err })
  if (TLS_PROBLEMS.test(String(e.message)) || e.code === 'ETLS') {
    return new ConnectorError('config', `The TLS connection to ${host} failed: ${String(e.message)}. If your own CA issued its certificate, paste that CA under Custom CA certificate.`, { cause: err })
  }
  if (code >= 400 && code < 500) return new ConnectorError('network', `${host} asked to try again later (${code}).${reply}`, { cause: err })
  if (e.code === 'EENVELOPE' || (code >= 500 && e.command !== undefined && /RCPT|MAIL|DATA/i.test(e.command))) {
    return new ConnectorError('config', `${host} refused the message${e.rejected?.length ? ` for ${e.rejected.join(', ')}` : ''} (${code || 'no reply code'}).${reply}`, { cause: err })
  }
  if (code >= 500) return new ConnectorError('config', `${host} refused the message (${code}).${reply}`, { cause: err })
  return new ConnectorError('network', `Could not reach ${host}: ${String(e.message ?? err)}`, { cause: err })
}

/** A failure worth another attempt: the server could not be reached, dropped us, or said 4xx. */
export const isTransient = (err: ConnectorError): boolean => err.reason === 'network'
