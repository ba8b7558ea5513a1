import type { Claim, Store } from './index'

/** What RedisStore needs of a node-redis client (`createClient()` of the redis package, connected). */
export interface RedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

export interface RedisStoreOptions {
  /** The keys' prefix (`<namespace>:<unit key>`); default DEFAULT_NAMESPACE. */
  namespace?: string
  /** How long a completed key is kept; default DEFAULT_RETENTION_MS (7 days). */
  retentionMs?: number
}

/** A store shared by several processes on Redis; Redis's clock enforces leases and retention. */
export declare class RedisStore implements Store {
  constructor(client: RedisScriptClient, options?: RedisStoreOptions)
  readonly namespace: string
  claim(key: string, options?: { leaseMs?: number; nowMs?: number }): Promise<Claim>
  complete(key: string, token: string, options?: { nowMs?: number }): Promise<boolean>
  release(key: string, token: string): Promise<boolean>
}

/** The namespace of the keys unless another is given: `hootsuite-events`. */
export declare const DEFAULT_NAMESPACE: string
/** A new claim token: 128 random bits of the operating system, 32 hexadecimal digits. */
export declare function newClaimToken(): string
