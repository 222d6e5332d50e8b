import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/** Debian's Chromium, or null: browser tests skip (with this reason) where it is not installed. */
export const chromiumPath = CANDIDATES.find(p => fs.existsSync(p)) ?? null
export const noBrowserReason = 'Chromium is not installed (apt-get install chromium); CI installs it'

export interface BrowserOptions {
  timezoneId?: string
  viewport?: { width: number, height: number }
  /** More Chromium switches, e.g. --host-resolver-rules to reach a vendor's host on loopback. */
  args?: string[]
  /** Accept any certificate (a loopback stand-in for a vendor's https host). */
  ignoreHTTPSErrors?: boolean
}

/** Headless Chromium with a fresh profile and no background traffic (this machine has no network); a time zone or viewport when given. */
export async function launchBrowser (teardown: (fn: () => unknown) => void, options: BrowserOptions = {}): Promise<BrowserContext> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'stocktake-chromium-'))
  const { args = [], ...context } = options
  const browser = await chromium.launchPersistentContext(profile, {
    ...context,
    executablePath: chromiumPath!,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...args]
  })
  teardown(async () => {
    await browser.close()
    fs.rmSync(profile, { recursive: true, force: true })
  })
  return browser
}
