/**
 * The local chain's memory allocator setting (docs/local-chain.md, "The node's allocator").
 *
 * Hardhat's network (EDR, a Rust library inside the Node process) allocates through mimalloc,
 * which hands freed memory back to the kernel 10 ms after it was freed by default. EDR frees and
 * reallocates large blocks on every mined block, usually more than 10 ms apart, so with that
 * default each block faults its pages in again: a third of the node's CPU went to page faults and
 * zeroing fresh pages (perf, raw transactions). With a 100 ms delay the same pages are reused:
 * the node's CPU per call falls about 2x in a batch of 8 calls and about 30% for a transaction of
 * one call (`npx hardhat run bench/node-cost.ts` compares the two in one run). Memory still goes
 * back to the kernel once the node has been idle for 100 ms.
 *
 * mimalloc reads the variable when EDR's library is loaded, so it must be in the environment
 * before: hardhat.config.ts sets it for Hardhat's in-process network and every child it starts,
 * and scripts/lib/local-chain.ts passes it to the child `hardhat node`. A value already in the
 * environment wins.
 */

/** mimalloc's environment variable: ms between freeing memory and returning it to the kernel. */
export const EDR_PURGE_DELAY_VAR = "MIMALLOC_PURGE_DELAY";

/** Ours (ms); mimalloc's own default is 10. */
export const EDR_PURGE_DELAY_MS = "100";

/** `env` with the purge delay set, unless it already has one. */
export function withEdrAllocator(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env[EDR_PURGE_DELAY_VAR] === undefined ? { ...env, [EDR_PURGE_DELAY_VAR]: EDR_PURGE_DELAY_MS } : env;
}
