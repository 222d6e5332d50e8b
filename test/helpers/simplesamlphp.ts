// Debian's SimpleSAMLphp 1.19 as a real, separately written SAML 2.0 identity provider on
// loopback: PHP's built-in server (`php -S 127.0.0.1:0`, never apache2) over
// /usr/share/simplesamlphp/www, with a temporary configuration directory of its own
// (SIMPLESAMLPHP_CONFIG_DIR) holding a fresh RSA key and self-signed certificate, users
// (exampleauth:UserPass) that carry email, givenName, sn and a multi-valued `groups`, and the
// service providers it trusts. Tests sign in through its real login form, with a cookie jar
// (login) or in Chromium (loginInBrowser). Each instance has its own port, folder and cookie
// names, so several test files can run it at once.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { request } from 'undici'
import { certificateBody, selfSignedCertificate } from './certificate.ts'
import { cookieJar } from './cookie-jar.ts'
import { decodeHtml } from './html-text.ts'

const SIMPLESAMLPHP_WWW = '/usr/share/simplesamlphp/www'
const PHP_CANDIDATES = ['/usr/bin/php', '/usr/bin/php8.2', '/usr/local/bin/php']
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'

/** PHP, or null: the SimpleSAMLphp tests skip (with this reason) where it or SimpleSAMLphp is not installed. */
export const phpPath = fs.existsSync(SIMPLESAMLPHP_WWW) ? PHP_CANDIDATES.find(p => fs.existsSync(p)) ?? null : null
export const noSimpleSamlPhpReason = 'PHP or SimpleSAMLphp is not installed (apt-get install --no-install-recommends simplesamlphp php8.2-cli php8.2-xml); CI installs them'

/** The attribute names the IdP sends (as configured at Okta or JumpCloud: one per field). */
export const ATTRIBUTES = { email: 'email', givenName: 'givenName', sn: 'sn', groups: 'groups' } as const

export interface IdpUser {
  username: string
  password: string
  email: string
  givenName: string
  sn: string
  /** Sent as one multi-valued attribute (none: the attribute is left out). */
  groups: string[]
}

export const DEFAULT_USERS: IdpUser[] = [
  { username: 'alice', password: 'alice-Secret-1', email: 'alice@example.com', givenName: 'Alice', sn: 'Andersen', groups: ['stocktake-admins', 'staff'] },
  { username: 'bob', password: 'bob-Secret-2', email: 'bob@example.com', givenName: 'Bob', sn: 'Brown', groups: ['staff'] },
  { username: 'carol', password: 'carol-Secret-3', email: 'carol@example.com', givenName: 'Carol', sn: 'Chen', groups: [] }
]

export interface TrustedServiceProvider {
  entityId: string
  /** Where the IdP posts the Response (HTTP-POST binding); an AuthnRequest asking for another URL is refused. */
  acsUrl: string
  /** The SP's certificate (PEM): needed to encrypt assertions for it. */
  certificate?: string
  /** Sign the whole Response (default true). */
  signResponse?: boolean
  /** Sign the Assertion (default true). */
  signAssertion?: boolean
  /** Encrypt the Assertion with the SP's certificate (AES-128-CBC, RSA-OAEP: SimpleSAMLphp's choice). */
  encryptAssertion?: boolean
}

/** What the IdP's auto-submitting page would post to the service provider. */
export interface PostedResponse { action: string, SAMLResponse: string, RelayState?: string }

export interface SimpleSamlIdp {
  entityId: string
  /** SingleSignOnService, HTTP-Redirect binding (and HTTP-POST: SimpleSAMLphp takes both here). */
  ssoUrl: string
  /** The IdP's metadata XML (entity ID, SSO URLs, signing certificate), served without sign-in: what an admin uploads or pastes. */
  metadataUrl: string
  /** Where a user starts an IdP-initiated sign-in to a trusted SP (the Okta or JumpCloud tile): no AuthnRequest, no InResponseTo. */
  idpInitiatedUrl: (spEntityId: string, relayState?: string) => string
  /** The IdP's signing certificate (PEM). */
  certificate: string
  /** Trusts one more service provider, or replaces the one with this entity ID (read on the next request). */
  trust: (sp: TrustedServiceProvider) => void
  /**
   * Follows `url` (an SP's AuthnRequest redirect) at the IdP with a fresh cookie jar, fills the
   * login form with the user's name and password, and returns the form the IdP's page would post
   * to the SP. Throws with the IdP's words if it refuses (wrong password, unknown SP).
   */
  login: (url: string, username: string, password: string) => Promise<PostedResponse>
  /** On a Chromium page already at the IdP's login form: signs in; the IdP's page then posts to the SP by itself. */
  loginInBrowser: (page: Page, username: string, password: string) => Promise<void>
  /** SimpleSAMLphp's own log and PHP's errors, for a failing test's message. */
  log: () => string
  /** Stops PHP and removes the configuration folder. */
  close: () => Promise<void>
}

export interface SimpleSamlOptions {
  serviceProviders?: TrustedServiceProvider[]
  users?: IdpUser[]
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

// Every PHP file only loads its JSON twin, so no value ever needs PHP quoting.
const phpLoading = (variable: 'config' | 'metadata', file: string) =>
  `<?php\n$${variable} = json_decode(file_get_contents(__DIR__ . '/${file}'), true, 512, JSON_THROW_ON_ERROR);\n`

function writeFile (file: string, content: string) {
  // Written whole, then renamed: PHP reading the folder between two tests' writes never sees half a file.
  fs.writeFileSync(`${file}.tmp`, content, { mode: 0o600 })
  fs.renameSync(`${file}.tmp`, file)
}

function userSources (users: IdpUser[]) {
  const sources: Record<string, Record<string, string[]>> = {}
  for (const user of users) {
    if (user.username.includes(':')) throw new Error(`user name ${user.username} has a colon, which exampleauth:UserPass cannot hold`)
    sources[`${user.username}:${user.password}`] = {
      uid: [user.username],
      [ATTRIBUTES.email]: [user.email],
      [ATTRIBUTES.givenName]: [user.givenName],
      [ATTRIBUTES.sn]: [user.sn],
      ...(user.groups.length > 0 ? { [ATTRIBUTES.groups]: user.groups } : {})
    }
  }
  return sources
}

function spRemote (sp: TrustedServiceProvider) {
  if (sp.encryptAssertion === true && sp.certificate === undefined) throw new Error(`${sp.entityId}: encrypting assertions needs the SP's certificate`)
  return {
    AssertionConsumerService: [{ Binding: HTTP_POST, Location: sp.acsUrl, index: 0 }],
    NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'simplesaml.nameidattribute': ATTRIBUTES.email,
    'saml20.sign.response': sp.signResponse ?? true,
    'saml20.sign.assertion': sp.signAssertion ?? true,
    'signature.algorithm': RSA_SHA256,
    'assertion.encryption': sp.encryptAssertion ?? false,
    'validate.authnrequest': false,
    ...(sp.certificate === undefined
      ? {}
      : { keys: [{ encryption: true, signing: true, type: 'X509Certificate', X509Certificate: certificateBody(sp.certificate) }] })
  }
}

/** The first form of a page: its action and its inputs' names and values (SimpleSAMLphp's own templates: login and the POST page). */
function firstForm (html: string, pageUrl: URL) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) return null
  const attribute = (tag: string, name: string) => {
    const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag)
    return match === null ? undefined : decodeHtml(match[1] ?? match[2])
  }
  const fields: Record<string, string> = {}
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input[0], 'name')
    if (name !== undefined) fields[name] = attribute(input[0], 'value') ?? ''
  }
  return { action: new URL(attribute(form[1], 'action') ?? pageUrl.href, pageUrl).href, fields }
}

/** The words of SimpleSAMLphp's error or login page, for an error message. */
const pageWords = (html: string) => decodeHtml(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 600)

export async function startSimpleSamlPhp (options: SimpleSamlOptions = {}): Promise<SimpleSamlIdp> {
  if (phpPath === null) throw new Error(noSimpleSamlPhpReason)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stocktake-simplesamlphp-'))
  const folders = Object.fromEntries(['config', 'metadata', 'cert', 'log', 'data', 'tmp', 'sessions'].map(name => [name, path.join(dir, name)]))
  for (const folder of Object.values(folders)) fs.mkdirSync(folder, { mode: 0o700 })
  let child: ChildProcess | undefined
  const removeAll = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const { privateKey, certificate } = await selfSignedCertificate('SimpleSAMLphp test IdP', 365)
    writeFile(path.join(folders.cert, 'idp.key'), privateKey)
    writeFile(path.join(folders.cert, 'idp.crt'), certificate)

    // Port 0: PHP picks a free port and prints it, so two test files never race for one. PHP runs
    // under a shell that stops it when its standard input closes: on close(), and when the test's
    // process dies however it dies (a timeout's SIGKILL included), so no PHP is left behind.
    child = spawn('/bin/sh', ['-c', 'exec 3<&0; "$0" "$@" </dev/null & php=$!; (read -r _ <&3; kill $php 2>/dev/null) & wait $php', phpPath,
      '-d', 'display_errors=0', '-d', 'log_errors=1', '-d', `error_log=${path.join(folders.log, 'php-errors.log')}`,
      '-d', 'opcache.enable_cli=0', '-S', '127.0.0.1:0', '-t', SIMPLESAMLPHP_WWW],
    { cwd: dir, env: { PATH: process.env.PATH, SIMPLESAMLPHP_CONFIG_DIR: folders.config }, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    const started = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000)
        const port = /Development Server \(http:\/\/127\.0\.0\.1:(\d+)\) started/.exec(output)?.[1]
        if (port !== undefined) resolve(port)
      }
      child!.stdout!.on('data', onData)
      child!.stderr!.on('data', onData)
      child!.once('exit', code => reject(new Error(`php -S exited (${code}) before it listened:\n${output}`)))
      setTimeout(() => reject(new Error(`php -S did not start within 20 s:\n${output}`)), 20_000).unref()
    })
    const exited = new Promise<void>(resolve => child!.once('exit', () => resolve()))
    const base = `http://127.0.0.1:${await started}`
    const entityId = `${base}/saml2/idp/metadata.php`
    const instance = path.basename(dir).replace(/[^A-Za-z0-9]/g, '')

    // The configuration names the port, so it is written once PHP has printed it: PHP reads it
    // afresh on every request, and nothing has asked it anything yet.
    writeFile(path.join(folders.config, 'config.json'), json({
      baseurlpath: `${base}/`,
      certdir: `${folders.cert}/`,
      loggingdir: `${folders.log}/`,
      datadir: `${folders.data}/`,
      tempdir: folders.tmp,
      metadatadir: `${folders.metadata}/`,
      secretsalt: randomBytes(24).toString('base64url'),
      'auth.adminpassword': randomBytes(24).toString('base64url'),
      'admin.protectindexpage': true,
      'admin.protectmetadata': false,
      technicalcontact_name: 'Stocktake tests',
      technicalcontact_email: 'tests@example.com',
      timezone: 'UTC',
      'logging.level': 6,
      'logging.handler': 'file',
      'logging.logfile': 'simplesamlphp.log',
      'enable.saml20-idp': true,
      'enable.shib13-idp': false,
      'module.enable': { exampleauth: true, core: true, saml: true, admin: false },
      'store.type': 'phpsession',
      // Cookie names of this instance: cookies ignore ports, and two IdPs on 127.0.0.1 must not share a session.
      'session.cookie.name': `SSPSession${instance}`,
      'session.phpsession.cookiename': `SSPPhp${instance}`,
      'session.authtoken.cookiename': `SSPAuth${instance}`,
      'session.phpsession.savepath': folders.sessions,
      'session.cookie.secure': false,
      'session.cookie.samesite': null,
      'language.default': 'en',
      'language.available': ['en'],
      showerrors: true,
      errorreporting: false,
      'trusted.url.domains': []
    }))
    writeFile(path.join(folders.config, 'config.php'), phpLoading('config', 'config.json'))
    writeFile(path.join(folders.config, 'authsources.json'), json({
      'test-users': ['exampleauth:UserPass', userSources(options.users ?? DEFAULT_USERS)]
    }))
    // exampleauth:UserPass reads its users from the source's own array: merged in PHP.
    writeFile(path.join(folders.config, 'authsources.php'),
      "<?php\n$sources = json_decode(file_get_contents(__DIR__ . '/authsources.json'), true, 512, JSON_THROW_ON_ERROR);\n" +
      '$config = [];\nforeach ($sources as $name => [$module, $users]) { $config[$name] = array_merge([$module], $users); }\n')
    writeFile(path.join(folders.metadata, 'saml20-idp-hosted.json'), json({
      [entityId]: {
        host: '__DEFAULT__',
        privatekey: 'idp.key',
        certificate: 'idp.crt',
        auth: 'test-users',
        'signature.algorithm': RSA_SHA256,
        'attributes.NameFormat': 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic'
      }
    }))
    writeFile(path.join(folders.metadata, 'saml20-idp-hosted.php'), phpLoading('metadata', 'saml20-idp-hosted.json'))
    const trusted = new Map<string, ReturnType<typeof spRemote>>()
    const writeTrusted = () => {
      writeFile(path.join(folders.metadata, 'saml20-sp-remote.json'), json(Object.fromEntries(trusted)))
      writeFile(path.join(folders.metadata, 'saml20-sp-remote.php'), phpLoading('metadata', 'saml20-sp-remote.json'))
    }
    const trust = (sp: TrustedServiceProvider) => { trusted.set(sp.entityId, spRemote(sp)); writeTrusted() }
    writeTrusted()
    for (const sp of options.serviceProviders ?? []) trust(sp)

    const readLog = (file: string) => { try { return fs.readFileSync(path.join(folders.log, file), 'utf8') } catch { return '' } }
    const log = () => `${readLog('simplesamlphp.log')}${readLog('php-errors.log')}`.slice(-8_000)

    async function login (url: string, username: string, password: string): Promise<PostedResponse> {
      const jar = cookieJar()
      let at = new URL(url)
      let body: { form: Record<string, string> } | undefined
      for (let hop = 0; hop < 12; hop++) {
        if (at.origin !== base) throw new Error(`the IdP sent the browser to ${at.href} before its POST page`)
        const res = await request(at.href, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { cookie: jar.header(), ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
          body: body === undefined ? undefined : new URLSearchParams(body.form).toString()
        })
        jar.take(res.headers['set-cookie'])
        const html = await res.body.text()
        const location = res.headers.location
        body = undefined
        if (typeof location === 'string') { at = new URL(location, at); continue }
        const form = firstForm(html, at)
        if (form?.fields.SAMLResponse !== undefined) {
          return { action: form.action, SAMLResponse: form.fields.SAMLResponse, ...(form.fields.RelayState === undefined ? {} : { RelayState: form.fields.RelayState }) }
        }
        // Anything else is SimpleSAMLphp's error page (unknown SP, ACS URL not in its metadata…), whatever its status.
        if (res.statusCode !== 200 || form === null || !('username' in form.fields) || !('password' in form.fields)) {
          throw new Error(`SimpleSAMLphp refused the sign-in (${res.statusCode}): ${pageWords(html)}\n${log()}`)
        }
        if (/wrong username or password|incorrect username or password/i.test(html)) throw new Error(`SimpleSAMLphp refused the password of ${username}`)
        body = { form: { ...form.fields, username, password } }
        at = new URL(form.action)
      }
      throw new Error('too many steps at SimpleSAMLphp')
    }

    async function loginInBrowser (page: Page, username: string, password: string) {
      await page.waitForURL(u => u.origin === base && u.pathname.includes('loginuserpass'))
      await page.fill('input[name="username"]', username)
      await page.fill('input[name="password"]', password)
      await Promise.all([page.waitForURL(u => u.origin !== base), page.click('button[type="submit"], input[type="submit"]')])
    }

    async function close () {
      child!.stdin!.end()
      await exited
      removeAll()
    }

    const ssoUrl = `${base}/saml2/idp/SSOService.php`
    const idpInitiatedUrl = (spEntityId: string, relayState?: string) =>
      `${ssoUrl}?${new URLSearchParams({ spentityid: spEntityId, ...(relayState === undefined ? {} : { RelayState: relayState }) })}`
    return { entityId, ssoUrl, metadataUrl: entityId, idpInitiatedUrl, certificate, trust, login, loginInBrowser, log, close }
  } catch (error) {
    child?.stdin?.end()
    removeAll()
    throw error
  }
}
