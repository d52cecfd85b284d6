/**
 * RPC outage test: an in-process relayer (createRelayer, SQLite in a temp dir) talks to a real
 * `hardhat node` chain through a switchable proxy (./rpc-proxy). While the chain does not answer
 * (connections refused, or requests hanging until the RPC timeout):
 *  - writes get 503 with Retry-After and {error, code, request_id}; nothing is half-applied;
 *  - reads of indexed state still answer 200 from the database;
 *  - /health reports the chain component false (503).
 * Writes accepted during the outage are not lost: one whose transaction reached the node but whose
 * answer was lost, and one persisted in the outbox before it could be signed. When the proxy is up
 * again the relayer recovers by itself (no restart): /health is 200, both accepted writes complete
 * and are reported through their Idempotency-Key, a new write succeeds, every group exists exactly
 * once (database and chain), nonces have no gaps and the outbox has nothing in flight.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { createRelayer, type Relayer } from "../../../src/relayer/main";
import {
  configFromEnv,
  deployDiamondTo,
  expectGapFreeNonces,
  keyHash,
  minedTransactions,
  registerPayers,
  relayerEnv,
  sleep,
  startChainNode,
  waitUntil,
  type ChainNode,
  type Deployed,
} from "./support";
import { RpcProxy } from "./rpc-proxy";

const RPC_TIMEOUT_MS = 1500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: unknown;
  text: string;
}

describe("relayer resilience: RPC outage and self-recovery", function () {
  this.timeout(120_000);

  let chain: ChainNode | undefined;
  let deployed: Deployed | undefined;
  let proxy: RpcProxy | undefined;
  let relayer: Relayer | undefined;
  let dataDir = "";
  let payers: string[] = [];
  let apiKey = "";
  let beforeId = "";
  let inFlightTxId = ""; // group id read on-chain for the write whose answer was lost

  const call = async (
    method: "GET" | "POST",
    url: string,
    opts: { body?: unknown; idempotencyKey?: string; auth?: boolean } = {},
  ): Promise<Reply> => {
    const res = await relayer!.app.inject({
      method,
      url,
      headers: {
        ...(opts.auth === false ? {} : { "x-api-key": apiKey }),
        ...(opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {}),
      },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
    let body: unknown = res.body;
    try {
      body = JSON.parse(res.body);
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, headers: res.headers, body, text: res.body };
  };
  const addGroup = (name: string, idempotencyKey?: string) =>
    call("POST", "/core/v1/add_group", {
      body: { group_name: name, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      idempotencyKey,
    });
  const health = async () => {
    const r = await call("GET", "/health", { auth: false });
    return { ...r, body: r.body as { status: string; components: Record<string, boolean> } };
  };
  const groupNames = async (): Promise<string[]> => {
    const r = await call("GET", "/core/v1/list_groups?page_number=0&page_size=100");
    expect(r.status, r.text).to.equal(200);
    return (r.body as { name: string }[]).map((g) => g.name).sort();
  };
  const expectUnavailable = (r: Reply, what: string): void => {
    expect(r.status, `${what}: ${r.text}`).to.equal(503);
    const retryAfter = Number(r.headers["retry-after"]);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1, `${what}: Retry-After ${String(r.headers["retry-after"])}`).to.equal(true);
    const body = r.body as Record<string, unknown>;
    expect(body).to.have.all.keys("error", "code", "request_id");
    expect(body.error).to.be.a("string").and.not.equal("");
    expect(body.code).to.equal("ChainUnavailable");
    expect(body.request_id).to.match(UUID);
    expect(r.headers["x-request-id"]).to.equal(body.request_id);
  };

  before(async () => {
    chain = await startChainNode();
    deployed = await deployDiamondTo(chain.url);
    proxy = await new RpcProxy(chain.url).start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-outage-"));
    const config = configFromEnv(
      relayerEnv({ dataDir, rootSecret: hexlify(randomBytes(32)), rpcUrl: proxy.url, diamondAddress: deployed.diamondAddress }),
    );
    payers = (await registerPayers(deployed, config)).payers.map((p) => p.toLowerCase());
    relayer = await createRelayer(config, {
      logger: false,
      startBlock: deployed.deployBlock,
      chain: {
        pollIntervalMs: 100,
        maxBackoffMs: 500,
        rpcTimeoutMs: RPC_TIMEOUT_MS,
        balanceCheckIntervalMs: 0,
        // Longer than any test here may take (120 s): a write answered 503 while the chain hangs was
        // answered through the RPC timeout, not by giving up on its receipt.
        writeTimeoutMs: 600_000,
      },
    });
    await waitUntil("healthy relayer", async () => (await health()).status === 200, 60_000);
  });

  after(async () => {
    await relayer?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await chain?.stop("SIGKILL");
    deployed?.provider.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("works while the chain answers", async () => {
    const acct = await call("POST", "/core/v1/new_account", {
      auth: false,
      body: { account_name: "outage test", account_description: "" },
    });
    expect(acct.status, acct.text).to.equal(200);
    apiKey = (acct.body as { api_key: string }).api_key;
    const r = await addGroup("before-outage", "k-before");
    expect(r.status, r.text).to.equal(200);
    beforeId = (r.body as { group_id: string }).group_id;
  });

  it("connections refused: writes 503 (nothing sent), reads 200 from the database, health false", async () => {
    proxy!.set("refuse");
    const down = await waitUntil(
      "/health to report the chain down",
      async () => {
        const h = await health();
        return h.status === 503 && h.body.components.chain === false ? h : undefined;
      },
      15_000,
    );
    expect(down.body.components.http).to.equal(true);
    expect(Number(down.headers["retry-after"])).to.be.gte(1);

    for (const r of [await addGroup("refused-write", "k-refused"), await addGroup("refused-no-key")]) {
      expectUnavailable(r, "add_group while refused");
      expect((r.body as { error: string }).error).to.match(/nothing was sent/);
    }
    expect(await relayer!.store.outbox.findByKey(keyHash(apiKey), "k-refused"), "nothing persisted").to.equal(null);

    expect(await groupNames()).to.deep.equal(["before-outage"]);
    const exists = await call("GET", "/core/v1/account_exists");
    expect(exists.status, exists.text).to.equal(200);
    expect(exists.body).to.equal(true);
    const wallets = await call("GET", "/core/v1/list_wallets?page_number=0&page_size=10");
    expect(wallets.status, wallets.text).to.equal(200);
    expect(wallets.body).to.have.length(1);
  });

  it("a write whose transaction reached the node but whose answer was lost: 503, queued", async () => {
    proxy!.set("up");
    await waitUntil("/health back to 200", async () => (await health()).status === 200, 60_000);
    const fired = proxy!.arm({ method: "eth_sendRawTransaction", then: "refuse", dropReply: true });
    const r = await addGroup("in-flight-sent", "k-in-flight-sent");
    await fired;
    expectUnavailable(r, "add_group cut after broadcast");
    expect((r.body as { error: string }).error).to.match(/queued/i);
    // The node did apply it: the group exists on chain, the relayer just has not heard yet.
    const onChain = (await deployed!.diamond.getFunction("listGroups")(keyHash(apiKey), 0, 100)) as { id: bigint; name: string }[];
    const found = onChain.find((g) => g.name === "in-flight-sent");
    expect(found, "group on chain").to.not.equal(undefined);
    inFlightTxId = BigInt(found!.id).toString();
  });

  it("requests hang until the RPC timeout: a write persisted before broadcast is 503, queued", async () => {
    // Still down (refused) since the previous step; now hanging instead, and only the next
    // pre-flight check gets through (eth_estimateGas, or eth_call once the writer knows the gas of
    // this call shape), so the write is persisted and then cannot be signed or sent.
    proxy!.set("hang");
    const fired = proxy!.arm({ method: ["eth_estimateGas", "eth_call"], then: "hang", dropReply: false });
    const r = await addGroup("in-flight-queued", "k-in-flight-queued");
    await fired;
    expectUnavailable(r, "add_group with the chain hanging after the pre-flight check");
    // Answered through the RPC timeout: the write's own wait (writeTimeoutMs) outlasts the test.
    expect((r.body as { error: string }).error).to.match(/queued/i);
    const row = await relayer!.store.outbox.findByKey(keyHash(apiKey), "k-in-flight-queued");
    // "queued" when signing needed a fee lookup that hung; "signed" when the cached fees of the
    // last second served and only the broadcast hung. Either way it is stored and not yet sent.
    expect(["queued", "signed"], "the write is persisted in the outbox, not sent").to.include(row?.status);

    const noKey = await addGroup("hang-no-key");
    expectUnavailable(noKey, "add_group without key while hanging");
    expect((noKey.body as { error: string }).error).to.match(/nothing was sent/);

    await waitUntil(
      "/health to report the chain down (hang)",
      async () => {
        const h = await health();
        return h.status === 503 && h.body.components.chain === false;
      },
      15_000,
    );
    const names = await groupNames();
    expect(names).to.include("before-outage");
    expect(names).to.not.include("in-flight-queued");
    expect(names, "the indexer could not see the mined one either").to.not.include("in-flight-sent");
    const exists = await call("GET", "/core/v1/account_exists");
    expect(exists.status).to.equal(200);
  });

  it("recovers by itself once the chain answers again; the accepted writes complete exactly once", async () => {
    await sleep(500); // the outage lasts a little longer
    proxy!.set("up");
    // No restart, no call from the test: the relayer's own backoff brings it back (the wait is a
    // generous outer bound, not a measured speed).
    await waitUntil("/health back to 200", async () => {
      const h = await health();
      return h.status === 200 && h.body.components.chain === true && h.body.components.writer === true;
    }, 60_000);

    // Re-ask the accepted writes for their outcome with the same Idempotency-Key.
    const outcome = async (name: string, key: string): Promise<string> =>
      waitUntil(`${key} outcome`, async () => {
        const r = await addGroup(name, key);
        if (r.status === 503) return undefined;
        expect(r.status, `${key}: ${r.text}`).to.equal(200);
        return (r.body as { group_id: string }).group_id;
      }, 30_000, 200);
    const sentId = await outcome("in-flight-sent", "k-in-flight-sent");
    expect(sentId).to.equal(inFlightTxId);
    const queuedId = await outcome("in-flight-queued", "k-in-flight-queued");
    // The write refused with nothing sent runs now under its key; a repeat replays it.
    const refusedId = await outcome("refused-write", "k-refused");
    expect(await outcome("refused-write", "k-refused")).to.equal(refusedId);
    expect(await outcome("before-outage", "k-before")).to.equal(beforeId);

    // A new write goes through (nonces: see the next test, which finds no gap, nothing pending).
    const after = await addGroup("after-outage", "k-after");
    expect(after.status, after.text).to.equal(200);
    const afterId = (after.body as { group_id: string }).group_id;
    expect(new Set([beforeId, sentId, queuedId, refusedId, afterId]).size).to.equal(5);
  });

  it("nothing lost, nothing duplicated: database, chain, nonces and outbox agree", async () => {
    const expected = ["after-outage", "before-outage", "in-flight-queued", "in-flight-sent", "refused-write"];
    expect(await groupNames()).to.deep.equal(expected);
    const onChain = (await deployed!.diamond.getFunction("listGroups")(keyHash(apiKey), 0, 100)) as { name: string }[];
    expect(onChain.map((g) => g.name).sort()).to.deep.equal(expected);

    const selector = deployed!.diamond.interface.getFunction("addGroup")!.selector;
    const txs = await minedTransactions(chain!.url, payers, 0);
    expect(txs.filter((x) => x.to === deployed!.diamondAddress && x.input.startsWith(selector))).to.have.length(expected.length);
    for (const [payer, latest] of await expectGapFreeNonces(chain!.url, payers)) {
      expect(await relayer!.store.outbox.nextNonce(payer), payer).to.equal(latest);
    }
    expect(await relayer!.store.outbox.inFlight()).to.deep.equal([]);
    const bad = (await relayer!.store.outbox.list()).filter((r) => r.status !== "mined");
    expect(bad.map((r) => `${r.id} ${r.method} ${r.status} ${r.errorMessage ?? ""}`)).to.deep.equal([]);
  });
});
