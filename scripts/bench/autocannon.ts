import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'

export interface LoadResult { rps: number, p50: number, p99: number, non2xx: number, errors: number }
export interface LoadOptions { connections: number, seconds: number, method?: string, body?: string, headers: Record<string, string> }

/** autocannon in its own process (the load generator must not share the server's event loop), read from its JSON summary. */
export function autocannon (url: string, opts: LoadOptions): Promise<LoadResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
  const args = [bin, '--json', '-c', String(opts.connections), '-d', String(opts.seconds), '-m', opts.method ?? 'GET']
  for (const [name, value] of Object.entries(opts.headers)) args.push('-H', `${name}=${value}`)
  if (opts.body) args.push('-b', opts.body, '-I')
  args.push(url)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', chunk => { out += chunk })
    child.once('error', reject)
    child.once('exit', code => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`))
      const r = JSON.parse(out)
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors })
    })
  })
}
