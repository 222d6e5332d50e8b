// tap loads its ts-node TypeScript plugin by default; .taprc swaps it for tsx, which tap applies
// by rebuilding its runner. Rebuild at install, so the first `npm test` of a fresh clone uses tsx.
// Skipped when dev dependencies are not installed (production installs).
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

if (existsSync('node_modules/.bin/tap')) {
  const result = spawnSync('node_modules/.bin/tap', ['build'], { stdio: 'inherit' })
  process.exitCode = result.status ?? 1
}
