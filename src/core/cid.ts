/**
 * IPFS CIDv0 of Lit Action code, exactly as get_lit_action_ipfs_id computes it (http-api.md §7):
 * base58btc `Qm...`, sha2-256, dag-pb UnixFS file, 262 144-byte chunks, no raw leaves, balanced
 * layout with at most 174 links per node.
 */
interface IpfsOnlyHash {
  of(content: string | Uint8Array, options?: Record<string, unknown>): Promise<string>;
}
let ipfsOnlyHash: IpfsOnlyHash | undefined;

const OPTIONS = { cidVersion: 0, rawLeaves: false, chunker: "fixed", maxChunkSize: 262_144, maxChildrenPerNode: 174 };

/** The CIDv0 (`Qm...`) of `code` (its UTF-8 bytes). */
export async function litActionCid(code: string | Uint8Array): Promise<string> {
  // Loaded on first use: the library is large and most importers of src/core never hash code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ipfsOnlyHash ??= require("ipfs-only-hash") as IpfsOnlyHash;
  return ipfsOnlyHash.of(code, OPTIONS);
}

/** `code` when its CID is `cid`, else null (a tampered row or a lying gateway is never run). */
export async function verifiedCode(cid: string, code: string | null): Promise<string | null> {
  if (code === null) return null;
  return (await litActionCid(code)) === cid ? code : null;
}
