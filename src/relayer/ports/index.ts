/**
 * The seams between the relayer's layers (docs/architecture.md). HTTP routes call services;
 * services read the indexed state (IndexReader) and submit writes (Writer); the chain layer
 * implements Writer with a durable outbox and keeps the indexed state current (Indexer); the store
 * persists both. One file per seam; import them all from here (`../ports`).
 *
 * Conventions for every value crossing these seams:
 * - 32-byte hashes (apiKeyHash, cid hash) are `0x` + 64 lowercase hex (`Hash32` of src/core);
 * - addresses are `0x` + 40 lowercase hex (`Address`);
 * - uint256 values that are not hashes (group ids, derivations, expirations, balances) are decimal
 *   strings (`Uint`), so nothing is lost to JavaScript numbers.
 */
export * from "./values";
export * from "./index-reader";
export * from "./writer";
export * from "./optional-stack-error";
export * from "./outbox";
export * from "./chain-storage";
export * from "./signatures";
export * from "./code-store";
export * from "./ledger";
export * from "./payments";
export * from "./usage";
