/**
 * The part of src/core that runs anywhere (browser bundle, Node, worker): what apps import as
 * `accountconfig/core` (README "Package layout"). Depends on ethers only. The Node-only helpers
 * (key derivation with node:crypto, Lit Action CIDs with ipfs-only-hash) are exported by
 * ./index beside these, for tasks and the relayer.
 */
export * from "./hashing";
export * from "./parse";
export * from "./text";
export type * from "./api-types";
export * from "./lit-action-limits";
