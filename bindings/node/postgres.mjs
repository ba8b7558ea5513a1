// ES module entry of hootsuite-events/postgres: the same exports as postgres.js.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./postgres.js')

export const { PostgresInbox, DEFAULT_TABLE, MIGRATION, CLEANUP } = cjs
export default cjs
