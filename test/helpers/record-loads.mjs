// node --import ./test/helpers/record-loads.mjs: appends the URL of every module the process
// resolves to the file named by STOCKTAKE_RECORD_LOADS (test/sdk-entries.test.ts).
import { register } from 'node:module'

register('./record-loads-hooks.mjs', import.meta.url)
