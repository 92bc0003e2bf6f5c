/**
 * Test helpers for tuskit stores.
 *
 * @example
 * ```ts
 * import { runStoreContract } from 'tuskit/testing'
 * runStoreContract('MyStore', () => new MyStore())
 * ```
 * @module
 */
export { runStoreContract, type StoreFactory } from './store-contract.js'
