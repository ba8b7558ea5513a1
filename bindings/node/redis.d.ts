import type { Claim, Store } from './index'

/**
 * What RedisStore needs of a node-redis client (`createClient()` or, for a Redis Cluster,
 * `createCluster()` of the redis package, connected). The store listens to its `'error'`
 * events (a dropped connection then fails the calls instead of ending the process) and a
 * cluster's `'node-error'` events (named in the calls' errors), and reads `isReady` (calls fail
 * at once while it is false).
 */
export interface RedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  readonly isReady?: boolean
  on?(event: 'error' | 'ready' | 'node-error' | 'node-ready', listener: (error?: Error) => void): unknown
}

export interface RedisStoreOptions {
  /** The keys' prefix (`<namespace>:<unit key>`); default DEFAULT_NAMESPACE. */
  namespace?: string
  /** How long a completed key is kept; default DEFAULT_RETENTION_MS (7 days). */
  retentionMs?: number
  /** How long a call waits for Redis's answer before it fails: an integer from 1 to 2147483647; default DEFAULT_TIMEOUT_MS (5 s). */
  timeoutMs?: number
}

/** Why a call to Redis failed: the client was not connected, or Redis did not answer in time. */
export declare class RedisStoreError extends Error {
  readonly name: 'RedisStoreError'
  readonly code: 'not_connected' | 'timeout'
}

/**
 * A store shared by several processes on Redis; Redis's clock enforces leases and retention.
 * A call rejects with a RedisStoreError while the client is not connected, or when Redis has
 * not answered within `timeoutMs`.
 */
export declare class RedisStore implements Store {
  constructor(client: RedisScriptClient, options?: RedisStoreOptions)
  readonly namespace: string
  claim(key: string, options?: { leaseMs?: number; nowMs?: number }): Promise<Claim>
  complete(key: string, token: string, options?: { nowMs?: number }): Promise<boolean>
  release(key: string, token: string): Promise<boolean>
  /** Claims the units of one notification in one script (one round trip). */
  claimAll(keys: string[], options?: { leaseMs?: number; nowMs?: number }): Promise<Claim[]>
  /** Completes and releases one notification's `[key, token]` claims in one script. */
  settle(complete: [string, string][], release: [string, string][], options?: { nowMs?: number }): Promise<boolean[]>
}

/** The namespace of the keys unless another is given: `hootsuite-events`. */
export declare const DEFAULT_NAMESPACE: string
/** How long a call waits for Redis's answer unless `timeoutMs` is given: 5 000 ms. */
export declare const DEFAULT_TIMEOUT_MS: number
/** A new claim token: 128 random bits of the operating system, 32 hexadecimal digits. */
export declare function newClaimToken(): string
