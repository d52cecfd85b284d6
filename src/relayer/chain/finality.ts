/**
 * The finality model of a chain (docs/finality.md): how deep a block must be before the relayer
 * treats what it holds as final, and how far back a reorg is expected at all.
 *
 *  - confirmationDepth: blocks built on top of a write's block before the writer stops watching
 *    it (the finality tracker, chain/writer/finality.ts). Until then a reorg that drops the block
 *    sends the write back to the outbox, which rebroadcasts it. 0: final on inclusion.
 *  - reorgWindow: how many recent blocks the index keeps the hashes of to follow a reorg; a reorg
 *    deeper than that is not followed but reported (the index stops, /health false).
 *
 * Defaults per chain id (overridden with CONFIRMATION_DEPTH / REORG_WINDOW):
 *  - 31337 (local Hardhat/Anvil): depth 0, window 64. A local chain never reorganises by itself;
 *    only evm_revert does, and the index's window still follows that.
 *  - 84532 (Base Sepolia): depth 10 (20 s of 2 s blocks), window 128 (256 s).
 *  - 8453 (Base): depth 20 (40 s), window 128.
 *    On the OP stack only the sequencer's "unsafe" head can reorganise before its batch is posted
 *    to L1 (about every one to three minutes on Base); the reorgs seen there are a few blocks
 *    deep (a sequencer fail-over, a re-derivation from L1). 10 / 20 blocks cover those with room
 *    to spare at the cost of watching each write for 20 / 40 s; a reorg deeper than 128 blocks
 *    (over four minutes, past the posting of the batch to L1) means the L1-derived chain itself
 *    changed, which an operator must look at rather than a relayer paper over.
 *  - any other chain: depth 12, window 128.
 */

export interface FinalitySettings {
  /** Blocks on top of a write's block before it is final (0: on inclusion). */
  confirmationDepth: number;
  /** Recent blocks whose hashes the index keeps to follow a reorg. */
  reorgWindow: number;
}

export const FINALITY_BY_CHAIN: Readonly<Record<number, FinalitySettings>> = {
  31337: { confirmationDepth: 0, reorgWindow: 64 },
  84532: { confirmationDepth: 10, reorgWindow: 128 },
  8453: { confirmationDepth: 20, reorgWindow: 128 },
};

export const DEFAULT_FINALITY: FinalitySettings = { confirmationDepth: 12, reorgWindow: 128 };

/** The chain's defaults (FINALITY_BY_CHAIN, else DEFAULT_FINALITY), with `overrides` applied. */
export function finalityFor(chainId: number | bigint, overrides: Partial<FinalitySettings> = {}): FinalitySettings {
  const base = FINALITY_BY_CHAIN[Number(chainId)] ?? DEFAULT_FINALITY;
  return {
    confirmationDepth: overrides.confirmationDepth ?? base.confirmationDepth,
    reorgWindow: overrides.reorgWindow ?? base.reorgWindow,
  };
}
