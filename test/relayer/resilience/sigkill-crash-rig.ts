/**
 * The set-up the SIGKILL crash tests share (crash.test.ts, batch-crash.test.ts): a `hardhat node`
 * child with the diamond, a temp DATA_DIR (and, for Postgres, a fresh schema) for a relayer child
 * whose payers are registered, the node then mining a block every `miningMs` and the relayer
 * started; after the describe, both are killed with SIGKILL and the data removed. Also what both
 * check after the restart: the transactions the kill caught unmined were mined as stored, and the
 * group names a transaction carries.
 * Call `sigkillCrashRig` inside a describe: it adds the hooks.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { diamondInterface } from "../../../src/relayer/chain";
import {
  configFromEnv,
  createPgSchema,
  deployDiamondTo,
  freePort,
  minedTransactions,
  registerPayers,
  relayerEnv,
  setMining,
  skipWithoutPostgres,
  startChainNode,
  startRelayerChild,
  type ChainNode,
  type Deployed,
  type PgSchema,
  type PooledTx,
  type RelayerChild,
} from "./support";

/** The addGroup group names a transaction's input carries (alone, or as calls of batchCalls). */
export function groupNamesCarried(input: string): string[] {
  const tx = diamondInterface.parseTransaction({ data: input });
  if (tx === null) return [];
  const calls = tx.name === "batchCalls" ? [...(tx.args[0] as string[])] : [input];
  return calls
    .map((c) => diamondInterface.parseTransaction({ data: c }))
    .filter((t) => t?.name === "addGroup")
    .map((t) => String(t?.args[1]));
}

/** What sigkillCrashRig set up; each field is set once its `before` hook ran. */
export class SigkillCrashRig {
  chain!: ChainNode;
  deployed!: Deployed;
  /** The relayer's DATA_DIR (its SQLite file, relayer.sqlite). */
  dataDir = "";
  /** The relayer child's environment. */
  env: Record<string, string> = {};
  /** The relayer's api payers, lowercase. */
  payers: string[] = [];
  /** The relayer child started last (the one the hooks kill). */
  relayer!: RelayerChild;

  /** Starts a relayer child on `env` (same DATA_DIR, same port): the new `relayer`. */
  async startRelayer(): Promise<RelayerChild> {
    this.relayer = await startRelayerChild(this.env);
    return this.relayer;
  }

  /** Every transaction of `caught` was mined: the same nonce of the same payer, with the same hash. */
  async expectMinedAsStored(caught: readonly PooledTx[]): Promise<void> {
    const mined = await minedTransactions(this.chain.url, this.payers, this.deployed.deployBlock);
    for (const t of caught) {
      const same = mined.find((m) => m.from === t.from && m.nonce === t.nonce);
      expect(same, `${t.from} nonce ${t.nonce} mined`).to.not.equal(undefined);
      expect(same?.hash, `${t.from} nonce ${t.nonce}: the stored transaction itself`).to.equal(t.hash);
    }
  }
}

export function sigkillCrashRig(opts: {
  /** Names the temp DATA_DIR (relayer-`label`-…). */
  label: string;
  miningMs: number;
  /** Relayer settings on top of relayerEnv's. */
  env?: Record<string, string>;
  /** Runs the relayer on Postgres, in this fresh schema (the describe is skipped without Postgres). */
  postgresSchema?: string;
}): SigkillCrashRig {
  const rig = new SigkillCrashRig();
  let pgSchema: PgSchema | undefined;

  before(async function () {
    if (opts.postgresSchema !== undefined) await skipWithoutPostgres(this);
    const chain = (rig.chain = await startChainNode());
    const deployed = (rig.deployed = await deployDiamondTo(chain.url));
    rig.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `relayer-${opts.label}-`));
    rig.env = {
      ...relayerEnv({
        dataDir: rig.dataDir,
        rootSecret: hexlify(randomBytes(32)),
        rpcUrl: chain.url,
        diamondAddress: deployed.diamondAddress,
        port: await freePort(),
      }),
      ...opts.env,
    };
    if (opts.postgresSchema !== undefined) {
      pgSchema = await createPgSchema(opts.postgresSchema);
      rig.env.DATABASE_URL = pgSchema.databaseUrl;
    }
    const { payers } = await registerPayers(deployed, configFromEnv(rig.env));
    rig.payers = payers.map((p) => p.toLowerCase());
    await setMining(chain.url, { intervalMs: opts.miningMs });
    await rig.startRelayer();
  });

  after(async () => {
    const { relayer, chain, deployed } = rig as Partial<SigkillCrashRig>;
    await relayer?.stop("SIGKILL");
    await chain?.stop("SIGKILL");
    deployed?.provider.destroy();
    if (rig.dataDir) fs.rmSync(rig.dataDir, { recursive: true, force: true });
    await pgSchema?.drop();
  });

  return rig;
}
