/**
 * Crash test: a child-process relayer (SQLite in a temp DATA_DIR, real `hardhat node` chain that
 * mines a block every 200 ms, so transactions wait unmined in its pool and a nonce gap could
 * exist) gets a burst of 50 add_group writes, each with its own Idempotency-Key, 10 at a time.
 * Once 15 have completed, the node's mining is paused; as soon as the node holds a payer
 * transaction the relayer broadcast (the writes under way keep going out), the relayer is killed
 * with SIGKILL. Those transactions are then
 * dropped from the node's pool, so they reach the chain only if the relayer rebroadcasts them from
 * its outbox. It is restarted on the same DATA_DIR (mining resumes once it is ready) and the client
 * retries every request with the same key until it gets 200. Then: every write is applied exactly
 * once (50 distinct group ids, each name once in list_groups and on-chain, each addGroup call
 * carried by exactly one mined transaction, a write answered before the crash replays the same
 * group id), every nonce caught unmined was mined, the payers' nonces have no gaps, nothing is
 * pending, queued in the node's pool or in flight, and one more write takes the next nonce.
 * Runs on SQLite (DATA_DIR) and, when reachable, on Postgres (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test, in a fresh schema dropped afterwards).
 */
import path from "path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { Client } from "pg";
import { groupNamesCarried, sigkillCrashRig } from "./sigkill-crash-rig";
import {
  PG_URL,
  dropFromPool,
  expectGapFreeNonces,
  http,
  keyHash,
  minedTransactions,
  setMining,
  sleep,
  unminedTransactions,
  waitUntil,
  type PooledTx,
} from "./support";

const N = 50;
const CONCURRENCY = 10;
const KILL_AFTER = 15;
const MINING_MS = 200;
const groupName = (i: number): string => `crash-group-${String(i).padStart(2, "0")}`;
const idemKey = (i: number): string => `crash-test-add-group-${i}`;
const addGroupBody = (i: number) => ({
  group_name: groupName(i),
  group_description: `burst write ${i}`,
  pkp_ids_permitted: [],
  cid_hashes_permitted: [],
});

type Phase1 = { kind: "ok"; groupId: string } | { kind: "status"; status: number; text: string } | { kind: "cut"; error: string } | { kind: "not-sent" };

type Backend = "sqlite" | "postgres";

/** Read-only look at the relayer's database from the test (`$n` placeholders, used in order). */
interface Inspector {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function inspect(backend: Backend, dataDir: string, schema: string): Promise<Inspector> {
  if (backend === "sqlite") {
    const db = new Database(path.join(dataDir, "relayer.sqlite"), { readonly: true, fileMustExist: true });
    return {
      query: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql.replace(/\$[0-9]+/g, "?")).all(...params) as T[],
      close: async () => {
        db.close();
      },
    };
  }
  const c = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  await c.connect();
  await c.query(`SET search_path TO "${schema}"`);
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[],
    close: () => c.end(),
  };
}


for (const backend of ["sqlite", "postgres"] as const) describe(`relayer resilience: SIGKILL mid-burst, restart, client retries (${backend})`, function () {
  this.timeout(180_000);

  const schema = `resilience_crash_${process.pid}_${Date.now().toString(36)}`;
  const rig = sigkillCrashRig({ label: "crash", miningMs: MINING_MS, postgresSchema: backend === "postgres" ? schema : undefined });
  let apiKey = "";
  const phase1: Phase1[] = Array.from({ length: N }, () => ({ kind: "not-sent" }) as Phase1);
  const finalIds: string[] = new Array<string>(N).fill("");
  let crashSnapshot = "";
  let caught: PooledTx[] = []; // payer transactions unmined at the kill (then dropped from the pool)

  it("creates the account", async () => {
    const res = await http(rig.relayer.url, "POST", "/core/v1/new_account", {
      body: { account_name: "crash test", account_description: "" },
    });
    expect(res.status, res.text).to.equal(200);
    apiKey = (res.body as { api_key: string }).api_key;
    expect(apiKey).to.be.a("string");
  });

  it("is killed with SIGKILL, mining paused, while a transaction it broadcast is unmined (after 15 of 50 writes)", async () => {
    const r = rig.relayer;
    const url = rig.chain.url;
    const payers = rig.payers;
    let next = 0;
    let completed = 0;
    let killed = false;
    let killing: Promise<void> | null = null;
    // Mining stops; the writes under way keep going out and now stay in the node's pool: the kill
    // waits for the first one there (the writers keep sending until then).
    const pauseAndKill = async (): Promise<void> => {
      await setMining(url, "paused");
      await waitUntil(
        "a payer transaction in the paused node's pool",
        async () => (await unminedTransactions(url, payers)).length > 0,
        120_000,
        20,
      );
      killed = true;
      r.proc.kill("SIGKILL"); // synchronous: the other requests are cut wherever they are
    };
    const worker = async (): Promise<void> => {
      while (!killed && next < N) {
        const i = next++;
        try {
          const res = await http(r.url, "POST", "/core/v1/add_group", {
            key: apiKey,
            body: addGroupBody(i),
            idempotencyKey: idemKey(i),
          });
          if (res.status === 200) {
            phase1[i] = { kind: "ok", groupId: (res.body as { group_id: string }).group_id };
            completed++;
            if (completed >= KILL_AFTER && killing === null) killing = pauseAndKill();
          } else {
            phase1[i] = { kind: "status", status: res.status, text: res.text };
          }
        } catch (err) {
          phase1[i] = { kind: "cut", error: String((err as Error).cause ?? err) };
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    await r.stop("SIGKILL"); // waits for the exit
    expect(killed, "the kill caught an unmined transaction").to.equal(true);

    // Mining is still paused: what the node holds unmined now is what the dead relayer broadcast.
    caught = await unminedTransactions(url, payers);
    expect(caught.length, "payer transactions unmined at the kill").to.be.gte(1);
    await dropFromPool(url, caught.map((t) => t.hash));
    expect(await unminedTransactions(url, payers), "the pool after dropping them").to.deep.equal([]);

    const unexpected = phase1.filter((p) => p.kind === "status");
    expect(unexpected, "non-200 answers before the crash").to.deep.equal([]);
    const ok = phase1.filter((p) => p.kind === "ok").length;
    const cut = phase1.filter((p) => p.kind === "cut").length;
    expect(ok).to.be.gte(KILL_AFTER);
    expect(cut, "requests cut by the crash").to.be.gte(1);

    // What the crash left in the outbox (informational).
    const db = await inspect(backend, rig.dataDir, schema);
    try {
      const rows = await db.query<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status");
      crashSnapshot = rows.map((x) => `${x.status}=${x.n}`).join(" ");
    } finally {
      await db.close();
    }
    const caughtText = caught.map((t) => `${t.from.slice(0, 8)}#${t.nonce}`).join(" ");
    console.log(
      `      crash: ${ok} answered, ${cut} cut, ${N - ok - cut} not sent; ` +
        `unmined at the kill and dropped from the pool: ${caughtText}; outbox at crash: ${crashSnapshot}`,
    );
  });

  it("after a restart on the same DATA_DIR (mining resumed once it is ready), every retried write gets 200", async () => {
    const r = await rig.startRelayer();
    await setMining(rig.chain.url, { intervalMs: MINING_MS });
    let next = 0;
    const deadline = Date.now() + 90_000;
    const worker = async (): Promise<void> => {
      while (next < N) {
        const i = next++;
        for (let attempt = 1; ; attempt++) {
          let res;
          try {
            res = await http(r.url, "POST", "/core/v1/add_group", {
              key: apiKey,
              body: addGroupBody(i),
              idempotencyKey: idemKey(i),
            });
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await sleep(200);
            continue;
          }
          if (res.status === 200) {
            finalIds[i] = (res.body as { group_id: string }).group_id;
            break;
          }
          if (res.status !== 503 || Date.now() > deadline) {
            throw new Error(`write ${i} (attempt ${attempt}): HTTP ${res.status} ${res.text}`);
          }
          await sleep(Math.min(1000, 100 * attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(finalIds.filter((id) => !/^[1-9][0-9]*$/.test(id))).to.deep.equal([]);
  });

  it("applied every write exactly once: 50 distinct ids, replays keep their first outcome", async () => {
    expect(new Set(finalIds).size).to.equal(N);
    phase1.forEach((p, i) => {
      if (p.kind === "ok") expect(finalIds[i], `write ${i} replayed`).to.equal(p.groupId);
    });
  });

  it("list_groups and the chain hold each group name exactly once", async () => {
    const res = await http(rig.relayer.url, "GET", "/core/v1/list_groups?page_number=0&page_size=100", { key: apiKey });
    expect(res.status, res.text).to.equal(200);
    const listed = res.body as { id: string; name: string }[];
    expect(listed.map((g) => g.name).sort()).to.deep.equal(Array.from({ length: N }, (_, i) => groupName(i)));
    for (const g of listed) {
      const i = Number(g.name.slice("crash-group-".length));
      expect(BigInt(g.id), g.name).to.equal(BigInt(finalIds[i]));
    }

    const onChain = (await rig.deployed.diamond.getFunction("listGroups")(keyHash(apiKey), 0, 100)) as { name: string }[];
    expect(onChain.map((g) => g.name).sort()).to.deep.equal(Array.from({ length: N }, (_, i) => groupName(i)));

    // Each addGroup call was carried by exactly one mined transaction, alone or in a batch (a
    // duplicate would be a second call).
    const txs = await minedTransactions(rig.chain.url, rig.payers, rig.deployed.deployBlock);
    const carried = txs.filter((t) => t.to === rig.deployed.diamondAddress.toLowerCase()).flatMap((t) => groupNamesCarried(t.input));
    expect([...carried].sort()).to.deep.equal(Array.from({ length: N }, (_, i) => groupName(i)));
  });

  it("mined every transaction the kill caught unmined (rebroadcast from the outbox)", async () => {
    await rig.expectMinedAsStored(caught);
  });

  it("leaves no nonce gap, nothing pending and nothing in flight", async () => {
    const next = await expectGapFreeNonces(rig.chain.url, rig.payers);
    const db = await inspect(backend, rig.dataDir, schema);
    try {
      for (const payer of rig.payers) {
        const latest = next.get(payer);
        const [counter] = await db.query<{ next_nonce: number }>("SELECT next_nonce FROM payers WHERE address = $1", [payer]);
        expect(Number(counter?.next_nonce), `${payer}: the outbox's next nonce`).to.equal(latest);
      }
      const inFlight = await db.query("SELECT id, status, method, nonce FROM outbox WHERE status IN ('queued', 'signed', 'sent')");
      expect(inFlight, "outbox rows still in flight").to.deep.equal([]);
      const failed = await db.query("SELECT id, status, method, error_message FROM outbox WHERE status IN ('failed', 'reverted')");
      expect(failed, "failed or reverted outbox rows").to.deep.equal([]);
    } finally {
      await db.close();
    }
  });

  it("takes one more write with the next nonce (no nonce stuck)", async () => {
    const { chain, deployed, payers } = rig;
    const before = await expectGapFreeNonces(chain.url, payers);
    const res = await http(rig.relayer.url, "POST", "/core/v1/add_group", {
      key: apiKey,
      body: { group_name: "after-crash", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      timeoutMs: 120_000,
    });
    expect(res.status, res.text).to.equal(200);
    const after = await expectGapFreeNonces(chain.url, payers);
    // One transaction (the write), on one payer, at that payer's next nonce: no filler, no re-send.
    const used = payers.filter((p) => after.get(p) !== before.get(p));
    expect(used, "payers that sent a transaction").to.have.length(1);
    expect(after.get(used[0])).to.equal((before.get(used[0]) ?? 0) + 1);
    const [tx] = (await minedTransactions(chain.url, [used[0]], deployed.deployBlock)).filter((t) => t.nonce === before.get(used[0]));
    expect(groupNamesCarried(tx.input)).to.deep.equal(["after-crash"]);
  });
});
