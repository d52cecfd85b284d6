/**
 * The content-addressed store of Lit Action code: CID -> code, filled by every accepted code
 * submission (lit_action with inline code, get_lit_action_ipfs_id). Reads verify the code against
 * its CID before returning it, so a tampered row (or a lying IPFS gateway) is never run.
 *
 * - SqlCodeStore (store/code-store.ts): a table in the relayer's database;
 * - MemoryCodeStore: bounded in-memory store (tests, or services built without a database);
 * - an optional IPFS gateway (`LIT_ACTION_IPFS_GATEWAY_URL`) is asked for CIDs the store lacks.
 */
import { verifiedCode as verified } from "../../core/cid";
import type { ContentStore } from "../ports";

export type { ContentStore } from "../ports";
export class MemoryCodeStore implements ContentStore {
  private readonly map = new Map<string, string>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async put(cid: string, code: string): Promise<void> {
    if (this.map.has(cid)) return;
    const size = Buffer.byteLength(code, "utf8");
    if (size > this.maxBytes) return;
    while (this.bytes + size > this.maxBytes && this.map.size > 0) {
      const [oldest, text] = this.map.entries().next().value as [string, string];
      this.map.delete(oldest);
      this.bytes -= Buffer.byteLength(text, "utf8");
    }
    this.map.set(cid, code);
    this.bytes += size;
  }

  async get(cid: string): Promise<string | null> {
    return verified(cid, this.map.get(cid) ?? null);
  }
}

/**
 * A store backed by `inner`, falling back to an IPFS HTTP gateway (`<gateway>/ipfs/<cid>`) for
 * unknown CIDs; fetched code is verified against the CID, then kept in `inner`.
 */
export class GatewayCodeStore implements ContentStore {
  constructor(
    private readonly inner: ContentStore,
    private readonly gatewayUrl: string,
    private readonly options: { timeoutMs: number; maxBytes: number },
  ) {}

  put(cid: string, code: string, owner?: string): Promise<void> {
    return this.inner.put(cid, code, owner);
  }

  async get(cid: string): Promise<string | null> {
    const local = await this.inner.get(cid);
    if (local !== null) return local;
    const url = `${this.gatewayUrl.replace(/\/+$/, "")}/ipfs/${encodeURIComponent(cid)}`;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: "follow" });
      if (!res.ok) return null;
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length > this.options.maxBytes) return null;
      text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    } catch {
      return null;
    }
    const code = await verified(cid, text);
    if (code !== null) await this.inner.put(cid, code);
    return code;
  }
}
