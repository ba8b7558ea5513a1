// ES module entry of hootsuite-events/redis: the same exports as redis.js.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./redis.js')

export const { RedisStore, RedisStoreError, DEFAULT_NAMESPACE, DEFAULT_TIMEOUT_MS, newClaimToken } = cjs
export default cjs
