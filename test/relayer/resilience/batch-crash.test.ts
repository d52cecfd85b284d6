/**
 * Crash test for batched writes: a child-process relayer (SQLite, real `hardhat node` mining a
 * block every 250 ms) with BATCH_MAX_IN_FLIGHT=1, so that concurrent writes share batchCalls
 * transactions, gets a burst of 40 add_group writes without Idempotency-Key (16 at a time) and is
 * killed with SIGKILL while a batch transaction it stored is not yet mined (after at least 5
 * writes were answered). Restarted on the same DATA_DIR, it must settle every batch it had stored
 * and leave nothing in flight. Then: every write answered before the crash is on-chain with its id; no write
 * is applied twice; every call carried by a mined outbox row is on-chain (nothing stored was lost);
 * the payers' nonces have no gaps and nothing is pending; one more write goes through.
 */
import fs from "fs";
import os from "os";
import path from "path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { diamondInterface } from "../../../src/relayer/chain";
import {
  configFromEnv,
  deployDiamondTo,
  freePort,
  http,
  keyHash,
  expectGapFreeNonces,
  registerPayers,
  relayerEnv,
  rpcCall,
  startChainNode,
  startRelayerChild,
  waitUntil,
  type ChainNode,
  type Deployed,
  type RelayerChild,
} from "./support";

const N = 40;
const CONCURRENCY = 16;
const KILL_AFTER = 5;
const groupName = (i: number): string => `batch-crash-${String(i).padStart(2, "0")}`;

interface OutboxLook {
  id: number;
  status: string;
  method: string;
  calldata: string;
}

function outboxRows(dataDir: string): OutboxLook[] {
  const db = new Database(path.join(dataDir, "relayer.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id, status, method, calldata FROM outbox ORDER BY id").all() as OutboxLook[];
  } finally {
    db.close();
  }
}

/** The addGroup group names a row's calldata carries (one for addGroup, each call of batchCalls). */
function namesCarried(row: OutboxLook): string[] {
  const calls =
    row.method === "batchCalls"
      ? [...(diamondInterface.decodeFunctionData("batchCalls", row.calldata)[0] as string[])]
      : [row.calldata];
  return calls
    .map((c) => diamondInterface.parseTransaction({ data: c }))
    .filter((t) => t?.name === "addGroup")
    .map((t) => String(t?.args[1]));
}

describe("relayer resilience: SIGKILL during batched writes, restart (sqlite)", function () {
  this.timeout(180_000);

  let chain: ChainNode | undefined;
  let deployed: Deployed | undefined;
  let relayer: RelayerChild | undefined;
  let dataDir = "";
  let env: Record<string, string> = {};
  let payers: string[] = [];
  let apiKey = "";
  const answered = new Map<string, string>(); // name -> group id, for writes answered 200 before the crash

  before(async () => {
    chain = await startChainNode();
    deployed = await deployDiamondTo(chain.url);
    await rpcCall(chain.url, "evm_setAutomine", [false]);
    await rpcCall(chain.url, "evm_setIntervalMining", [250]);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-batch-crash-"));
    env = {
      ...relayerEnv({
        dataDir,
        rootSecret: hexlify(randomBytes(32)),
        rpcUrl: chain.url,
        diamondAddress: deployed.diamondAddress,
        port: await freePort(),
      }),
      BATCH_MAX_IN_FLIGHT: "1",
    };
    ({ payers } = await registerPayers(deployed, configFromEnv(env)));
    payers = payers.map((p) => p.toLowerCase());
    relayer = await startRelayerChild(env);
    const res = await http(relayer.url, "POST", "/core/v1/new_account", { body: { account_name: "batch crash", account_description: "" } });
    expect(res.status, res.text).to.equal(200);
    apiKey = (res.body as { api_key: string }).api_key;
  });

  after(async () => {
    await relayer?.stop("SIGKILL");
    await chain?.stop("SIGKILL");
    deployed?.provider.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("is killed with SIGKILL while a stored batch transaction is not mined yet", async () => {
    const r = relayer!;
    let next = 0;
    let killed = false;
    let inFlightAtKill: OutboxLook[] = [];
    const unmined = (): OutboxLook[] => outboxRows(dataDir).filter((row) => row.method === "batchCalls" && ["signed", "sent"].includes(row.status));
    const watcher = async (): Promise<void> => {
      while (!killed && next < N) {
        if (answered.size >= KILL_AFTER) {
          const rows = unmined();
          if (rows.length > 0) {
            killed = true;
            r.proc.kill("SIGKILL");
            inFlightAtKill = rows;
            return;
          }
        }
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const worker = async (): Promise<void> => {
      while (!killed && next < N) {
        const i = next++;
        try {
          const res = await http(r.url, "POST", "/core/v1/add_group", {
            key: apiKey,
            body: { group_name: groupName(i), group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
          });
          if (res.status === 200) answered.set(groupName(i), (res.body as { group_id: string }).group_id);
        } catch {
          // cut by the crash
        }
      }
    };
    await Promise.all([watcher(), ...Array.from({ length: CONCURRENCY }, worker)]);
    await r.stop("SIGKILL");
    expect(killed, "the burst finished before the kill").to.equal(true);
    expect(inFlightAtKill.length, "batch rows stored and not mined at the kill").to.be.gte(1);
    const rows = outboxRows(dataDir);
    expect(rows.filter((row) => row.method === "batchCalls").length, "batch rows stored").to.be.gte(1);
    const byStatus = new Map<string, number>();
    for (const row of rows) byStatus.set(`${row.method}:${row.status}`, (byStatus.get(`${row.method}:${row.status}`) ?? 0) + 1);
    console.log(`      crash: ${answered.size} answered; outbox at crash: ${[...byStatus].map(([k, n]) => `${k}=${n}`).join(" ")}`);
  });

  it("after a restart on the same DATA_DIR, sends what it had stored and leaves nothing in flight", async () => {
    relayer = await startRelayerChild(env);
    await waitUntil("the outbox to drain", async () => outboxRows(dataDir).every((row) => !["queued", "signed", "sent"].includes(row.status)), 60_000);
    const rows = outboxRows(dataDir);
    expect(rows.filter((row) => row.status !== "mined").map((row) => `${row.id} ${row.status}`)).to.deep.equal([]);
  });

  it("applied every stored write exactly once, and every write answered before the crash with its id", async () => {
    const carried = outboxRows(dataDir).flatMap(namesCarried);
    expect(new Set(carried).size, "a name carried by two mined rows").to.equal(carried.length);
    const onChain = (await deployed!.diamond.getFunction("listGroups")(keyHash(apiKey), 0, 100)) as { id: bigint; name: string }[];
    expect(onChain.map((g) => g.name).sort()).to.deep.equal([...carried].sort());
    for (const [name, id] of answered) {
      const g = onChain.find((x) => x.name === name);
      expect(g?.id.toString(), name).to.equal(id);
    }
  });

  it("leaves no nonce gap and nothing pending", async () => {
    await expectGapFreeNonces(chain!.url, payers);
  });

  it("takes one more write", async () => {
    const res = await http(relayer!.url, "POST", "/core/v1/add_group", {
      key: apiKey,
      body: { group_name: "after-batch-crash", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
      timeoutMs: 10_000,
    });
    expect(res.status, res.text).to.equal(200);
  });
});
