import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export interface Running {
  child: ChildProcess
  output: () => string
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  exited: Promise<number | null>
}

/** Spawns a command in the repository with extra environment (and standard input, if given), collecting what it prints. */
export function launch (command: string, args: string[], env: Record<string, string | undefined>, input?: string): Running {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
  if (input !== undefined) child.stdin!.end(input)
  let text = ''
  const waiters: Array<() => void> = []
  const onData = (chunk: Buffer) => { text += chunk.toString(); waiters.forEach(w => w()) }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { waiters.forEach(w => w()); resolve(code) }))
  return {
    child,
    output: () => text,
    exited,
    waitFor (pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`)), timeoutMs)
        const check = () => {
          const match = text.match(pattern)
          if (match) { clearTimeout(timer); resolve(match) } else if (child.exitCode !== null) {
            clearTimeout(timer); reject(new Error(`exited (${child.exitCode}) before ${pattern}; output:\n${text}`))
          }
        }
        waiters.push(check)
        check()
      })
    }
  }
}

/** Runs a command to completion. */
export async function runToEnd (command: string, args: string[], env: Record<string, string | undefined>, input?: string) {
  const running = launch(command, args, env, input)
  const code = await running.exited
  return { code, output: running.output() }
}

/**
 * `npx stocktake …` as a process on an embedded database in a new temporary data folder (removed
 * at teardown), whatever database the suite runs on: for tests of the command line itself.
 */
export async function cliWithDataDir (t: { teardown: (fn: () => unknown) => void }, prefix: string) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  t.teardown(() => fs.rm(dataDir, { recursive: true, force: true }))
  const env = { DATABASE_URL: '', STOCKTAKE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
  return {
    env,
    cli: (args: string[], opts: { input?: string, env?: Record<string, string> } = {}) =>
      runToEnd('node', ['scripts/stocktake.js', ...args], { ...env, ...opts.env }, opts.input)
  }
}
