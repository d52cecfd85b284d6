/**
 * The replay store of wallet signatures in the relayer's database: a digest is accepted once,
 * also across a restart and under concurrent claims; released claims and expired rows free it.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { openStore, type Store } from "../../../src/relayer/store";
import { SqlReplayStore, WALLET_SIGNATURE_MIGRATIONS } from "../../../src/relayer/store/replay-store";

const DIGEST = `0x${"ab".repeat(32)}`;

describe("wallet signatures: the replay store (SQLite)", () => {
  let dir: string;
  let store: Store;
  const open = () => openStore({ dataDir: dir, migrations: [...WALLET_SIGNATURE_MIGRATIONS] });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "replay-store-"));
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a digest once, across a restart", async () => {
    const now = 1_000_000;
    expect(await new SqlReplayStore(store.db, () => now).claim(DIGEST, now + 600)).to.equal(true);
    expect(
      await new SqlReplayStore(store.db, () => now).claim(DIGEST.toUpperCase().replace("0X", "0x"), now + 600),
    ).to.equal(false);
    await store.close();
    store = await open();
    expect(await new SqlReplayStore(store.db, () => now).claim(DIGEST, now + 600)).to.equal(false);
  });

  it("exactly one of many concurrent claims wins", async () => {
    const replay = new SqlReplayStore(store.db, () => 5);
    const results = await Promise.all(Array.from({ length: 20 }, () => replay.claim(DIGEST, 100)));
    expect(results.filter((r) => r)).to.have.length(1);
  });

  it("a released claim and an expired row free the digest", async () => {
    let now = 1_000;
    const replay = new SqlReplayStore(store.db, () => now);
    expect(await replay.claim(DIGEST, now + 600)).to.equal(true);
    await replay.release(DIGEST);
    expect(await replay.claim(DIGEST, now + 600)).to.equal(true);
    now += 700; // past expiry: pruned on the next claim
    expect(await replay.claim(`0x${"cd".repeat(32)}`, now + 600)).to.equal(true);
    expect(await replay.claim(DIGEST, now + 600)).to.equal(true);
  });
});
