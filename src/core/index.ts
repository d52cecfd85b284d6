/** Pure helpers shared by tasks, relayer and SDK. Imports nothing of the project but ethers (and, for CIDs, ipfs-only-hash). */
export * from "./hashing";
export * from "./parse";
export * from "./keys";
export * from "./cid";
export * from "./text";
export type * from "./api-types";
export * from "./lit-action-limits";
