/** Pure helpers shared by tasks, relayer and SDK. Imports nothing of the project but ethers (and, for CIDs, ipfs-only-hash). */
export * from "./browser";
export * from "./keys";
export * from "./cid";
