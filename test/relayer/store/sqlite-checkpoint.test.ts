/**
 * SQLite's checkpoints off the event loop (store/wal-checkpointer.ts; docs/relayer-latency.md,
 * "SQLite's checkpoints off the event loop"): the store's connection leaves checkpoints to a worker
 * thread, the WAL stays bounded, a crash mid-checkpoint loses no committed row, and the connection
 * checkpoints itself again when the thread is gone. Real SQLite files in a temp directory; the WAL's
 * size is read from its wal-index (store/wal-index.ts).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { spawn } from "child_process";
import { expect } from "chai";
import fc from "fast-check";
import Database from "better-sqlite3";
import type { Worker } from "worker_threads";
import { SqliteDb, openStore } from "../../../src/relayer/store";
import { WalIndexReader } from "../../../src/relayer/store/wal-index";

const ROOT = path.resolve(__dirname, "../../..");
const CHILD = path.join(__dirname, "sqlite-checkpoint-child.ts");
/** One row per page: each commit adds a few WAL frames (the leaf, its parent, page 1). */
const ROW = "r".repeat(3000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function poll<T>(read: () => Promise<T> | T, done: (v: T) => boolean, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!done(v) && Date.now() < end) {
    await sleep(10);
    v = await read();
  }
  return v;
}

/** Runs node with `args` in the repository root; its exit code ("hung" after 60 s) and output. */
async function runNode(args: readonly string[]): Promise<{ code: number | null | "hung"; out: string }> {
  const child = spawn(process.execPath, ["--no-node-snapshot", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null | "hung">((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve("hung");
    }, 60_000);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, out };
}

const autocheckpoint = async (db: SqliteDb): Promise<number> =>
  Number((await db.one<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"))?.wal_autocheckpoint);

/** Ids in the file, read by a fresh connection (which recovers the WAL as after a crash). */
function idsInFile(file: string): { ids: Set<number>; integrity: string } {
  const db = new Database(file);
  try {
    const ids = new Set((db.prepare("SELECT id FROM o").all() as { id: number }[]).map((r) => r.id));
    return { ids, integrity: String(db.pragma("integrity_check", { simple: true })) };
  } finally {
    db.close();
  }
}

describe("relayer store: SQLite checkpoints on a worker thread", function () {
  this.timeout(120_000);
  let dir = "";
  let file = "";
  const open: SqliteDb[] = [];
  const store = async (options: ConstructorParameters<typeof SqliteDb>[1] = {}): Promise<SqliteDb> => {
    const db = new SqliteDb(file, { checkpoints: "worker", ...options });
    open.push(db);
    await db.exec("CREATE TABLE IF NOT EXISTS o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    return db;
  };
  const insert = (db: SqliteDb, id?: number): Promise<number> =>
    db.tx(async (tx) => tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [id ?? null, ROW]));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-ckpt-"));
    file = path.join(dir, "db.sqlite");
  });
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads from the wal-index the frame counts SQLite's own checkpoint reports, whatever the commits", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 40 }), fc.boolean(), async (sizes, midway) => {
        const f = path.join(dir, `w${Date.now()}-${Math.random()}.sqlite`);
        const db = new Database(f);
        const wal = new WalIndexReader(`${f}-shm`);
        try {
          db.pragma("journal_mode = WAL");
          db.pragma("wal_autocheckpoint = 0");
          db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
          const checkpoint = (): { log: number; checkpointed: number } =>
            (db.pragma("wal_checkpoint(PASSIVE)") as { log: number; checkpointed: number }[])[0];
          sizes.forEach((n, i) => {
            db.prepare("INSERT INTO o (body) VALUES (?)").run("s".repeat(n));
            if (midway && i === Math.floor(sizes.length / 2)) checkpoint();
          });
          const before = wal.read();
          const ran = checkpoint();
          expect(before?.frames).to.equal(ran.log);
          expect(wal.read()).to.deep.equal({ frames: ran.log, backfilled: ran.checkpointed });
        } finally {
          wal.close();
          db.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it("turns the store connection's own automatic checkpoint off once the checkpoint thread is up", async () => {
    const db = await store();
    expect(await poll(() => autocheckpoint(db), (n) => n === 0)).to.equal(0);
    expect(db.checkpointStatus().mode).to.equal("worker");
  });

  it("keeps the WAL bounded under a steady write load, the thread running every checkpoint", async () => {
    const db = await store({ checkpointPages: 100 });
    await poll(() => db.checkpointStatus().mode, (m) => m === "worker");
    const wal = new WalIndexReader(`${file}-shm`);
    let most = 0;
    let restarts = 0;
    let last = 0;
    let next = 1;
    try {
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next <= 3000) {
            await insert(db, next++);
            const frames = wal.read()?.frames ?? 0;
            if (frames < last) restarts++;
            last = frames;
            most = Math.max(most, frames);
          }
        }),
      );
    } finally {
      wal.close();
    }
    expect(db.checkpointStatus().threadCheckpoints, "checkpoints run by the thread").to.be.greaterThan(5);
    expect(restarts, "times the WAL started over").to.be.greaterThan(5);
    expect(most, "most frames in the WAL").to.be.at.most(400);
    expect(fs.statSync(`${file}-wal`).size).to.be.at.most(32 + 400 * (4096 + 24));
    expect(await autocheckpoint(db)).to.equal(0);
  });

  it("checkpoints on the thread a database opened through a symbolic link, beside the real file", async () => {
    fs.mkdirSync(path.join(dir, "real"));
    const real = path.join(dir, "real", "db.sqlite");
    fs.writeFileSync(real, "");
    fs.symlinkSync(real, file);
    const db = await store({ checkpointPages: 50 });
    await poll(() => db.checkpointStatus().mode, (m) => m === "worker");
    for (let i = 1; i <= 400; i++) await insert(db, i);
    expect(db.checkpointStatus().threadCheckpoints).to.be.greaterThan(0);
    expect(fs.existsSync(`${real}-wal`)).to.equal(true);
    expect(fs.statSync(`${real}-wal`).size).to.be.at.most(32 + 200 * (4096 + 24));
  });

  it("checkpoints on the store's connection again, keeping the WAL bounded, once the thread is gone", async () => {
    let worker: Worker | null = null;
    const db = await store({ checkpointPages: 100, onCheckpointWorker: (w) => (worker = w) });
    await poll(() => db.checkpointStatus().mode, (m) => m === "worker");
    await (worker as Worker | null)?.terminate();
    expect(await poll(() => db.checkpointStatus().mode, (m) => m === "connection")).to.equal("connection");
    expect(db.checkpointStatus().fallbackReason).to.match(/exited/);
    expect(await autocheckpoint(db)).to.equal(100);
    const wal = new WalIndexReader(`${file}-shm`);
    let most = 0;
    try {
      for (let i = 1; i <= 1000; i++) {
        await insert(db, i);
        most = Math.max(most, wal.read()?.frames ?? 0);
      }
    } finally {
      wal.close();
    }
    expect(most, "most frames in the WAL").to.be.at.most(110);
    expect(idsInFile(file).ids.size).to.equal(1000);
  });

  it("ends a checkpoint thread that stops answering and checkpoints on the store's connection, keeping the WAL bounded", async () => {
    let worker: Worker | null = null;
    const db = await store({ checkpointPages: 50, checkpointAnswerMs: 300, onCheckpointWorker: (w) => (worker = w) });
    await poll(() => db.checkpointStatus().mode, (m) => m === "worker");
    // the thread goes on running, but none of its answers reaches the store any more
    (worker as Worker | null)?.removeAllListeners("message");
    const wal = new WalIndexReader(`${file}-shm`);
    let most = 0;
    try {
      for (let i = 1; i <= 200; i++) await insert(db, i);
      expect(await poll(() => db.checkpointStatus().mode, (m) => m === "connection", 3_000)).to.equal("connection");
      expect(db.checkpointStatus().fallbackReason).to.match(/did not answer within 300 ms/);
      // the WAL the thread left grows no further: the connection's first checkpoint copies it,
      // and its next write starts it over
      for (let i = 201; i <= 800; i++) {
        await insert(db, i);
        if (i > 202) most = Math.max(most, wal.read()?.frames ?? 0);
      }
    } finally {
      wal.close();
    }
    expect(most, "most frames in the WAL after the fallback's first checkpoint").to.be.at.most(60);
    expect(idsInFile(file).ids.size).to.equal(800);
  });

  it("copies the WAL a reader kept from being checkpointed once the reader has gone, and starts it over", async () => {
    const db = await store({ checkpointPages: 100 });
    await poll(() => db.checkpointStatus().mode, (m) => m === "worker");
    await insert(db, 1);
    const reader = new Database(file, { readonly: true });
    const wal = new WalIndexReader(`${file}-shm`);
    try {
      reader.exec("BEGIN");
      reader.prepare("SELECT count(*) FROM o").get();
      for (let i = 2; i <= 400; i++) await insert(db, i);
      const pinned = wal.read();
      expect(pinned?.frames, "frames while the reader holds its snapshot").to.be.greaterThan(300);
      reader.exec("COMMIT");
      let restarted = false;
      for (let i = 401; i <= 800 && !restarted; i++) {
        await insert(db, i);
        restarted = (wal.read()?.frames ?? 0) < (pinned?.frames ?? 0);
      }
      expect(restarted, "the WAL started over after the reader left").to.equal(true);
    } finally {
      wal.close();
      reader.close();
    }
  });

  it("lets a process that left its store open exit by itself (the thread keeps nothing alive)", async () => {
    const store = path.join(ROOT, "src/relayer/store");
    const script = [
      `const { SqliteDb } = require(${JSON.stringify(store)});`,
      `const db = new SqliteDb(${JSON.stringify(file)}, { checkpoints: "worker", checkpointPages: 10 });`,
      `(async () => {`,
      `  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");`,
      `  while (db.checkpointStatus().mode === "starting") await new Promise((r) => setTimeout(r, 5));`,
      `  for (let i = 1; i <= 100; i++) await db.tx((tx) => tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [i, "x".repeat(3000)]));`,
      `  console.log(db.checkpointStatus().mode + " " + db.checkpointStatus().threadCheckpoints);`,
      `})();`,
    ].join("\n");
    const { code, out } = await runNode(["--require", "ts-node/register/transpile-only", "-e", script]);
    expect(code, out).to.equal(0);
    expect(out.trim()).to.match(/^worker [1-9]\d*$/);
    expect(idsInFile(file).ids.size).to.equal(100);
  });

  it("starts its checkpoint thread without the process's --require preloads (ts-node, hardhat/register)", async () => {
    // A preload that says on which thread it runs. A thread inheriting the process's execArgv
    // loads every preload again (hardhat/register: the whole Hardhat runtime, seconds of CPU on
    // 2 cores, docs/relayer-latency.md "SQLite's checkpoints off the event loop"); the checkpoint
    // thread needs none of them.
    const preload = path.join(dir, "preload.js");
    fs.writeFileSync(preload, `process.stdout.write((require("worker_threads").isMainThread ? "main" : "thread") + " preload\\n");\n`);
    const store = path.join(ROOT, "src/relayer/store");
    const script = [
      `const { SqliteDb } = require(${JSON.stringify(store)});`,
      `const db = new SqliteDb(${JSON.stringify(file)}, { checkpoints: "worker", checkpointPages: 10 });`,
      `(async () => {`,
      `  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");`,
      `  for (let i = 1; i <= 50; i++) await db.tx((tx) => tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [i, "x".repeat(3000)]));`,
      `  while (db.checkpointStatus().mode === "starting") await new Promise((r) => setTimeout(r, 5));`,
      `  for (let i = 51; i <= 100; i++) await db.tx((tx) => tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [i, "x".repeat(3000)]));`,
      `  const s = db.checkpointStatus();`,
      `  await db.close();`,
      `  console.log(s.mode + " " + s.threadCheckpoints);`,
      `})();`,
    ].join("\n");
    const { code, out } = await runNode(["--require", "ts-node/register/transpile-only", "--require", preload, "-e", script]);
    expect(code, out).to.equal(0);
    const lines = out.trim().split("\n");
    expect(lines.filter((l) => l.endsWith(" preload")), out).to.deep.equal(["main preload"]);
    expect(lines[lines.length - 1], out).to.match(/^worker [1-9]\d*$/);
  });

  it("starts its checkpoint thread with the process's flags other than its preloads (--enable-source-maps)", async () => {
    // The child wraps worker_threads' Worker to print the execArgv a thread is started with. Its
    // --no-node-snapshot (runNode), which a thread refuses, is dropped; --enable-source-maps is kept.
    const store = path.join(ROOT, "src/relayer/store");
    const script = [
      `const threads = require("worker_threads");`,
      `const Worker = threads.Worker;`,
      `threads.Worker = class extends Worker { constructor(s, o) { super(s, o); console.log("thread execArgv " + JSON.stringify(o.execArgv)); } };`,
      `const { SqliteDb } = require(${JSON.stringify(store)});`,
      `const db = new SqliteDb(${JSON.stringify(file)}, { checkpoints: "worker", checkpointPages: 10 });`,
      `(async () => {`,
      `  while (db.checkpointStatus().mode === "starting") await new Promise((r) => setTimeout(r, 5));`,
      `  const s = db.checkpointStatus();`,
      `  await db.close();`,
      `  console.log(s.mode);`,
      `})();`,
    ].join("\n");
    // A script file, not -e: `-e <code>` stays in a process's execArgv (a thread ignores it).
    const main = path.join(dir, "main.js");
    fs.writeFileSync(main, script);
    const { code, out } = await runNode(["--enable-source-maps", "--require", "ts-node/register/transpile-only", main]);
    expect(code, out).to.equal(0);
    expect(out.trim().split("\n"), out).to.deep.equal(['thread execArgv ["--enable-source-maps"]', "worker"]);
  });

  it("checkpoints on the store's own connection, with no thread, unless the thread is asked for", async () => {
    const db = new SqliteDb(file);
    open.push(db);
    expect(db.checkpointStatus()).to.deep.equal({ mode: "connection", threadCheckpoints: 0, fallbackReason: null });
    expect(await autocheckpoint(db)).to.equal(1000);
  });

  it("runs the checkpoints of a store opened with sqliteCheckpoints \"worker\" on the thread", async () => {
    const opened = await openStore({ dataDir: dir, sqliteCheckpoints: "worker" });
    try {
      const db = opened.db as SqliteDb;
      await poll(() => db.checkpointStatus().mode, (m) => m !== "starting");
      expect(db.checkpointStatus().mode).to.equal("worker");
    } finally {
      await opened.close();
    }
  });

  it("runs no checkpoint thread for an in-memory database", async () => {
    const db = new SqliteDb(":memory:", { checkpoints: "worker" });
    open.push(db);
    expect(db.checkpointStatus()).to.deep.equal({ mode: "none", threadCheckpoints: 0, fallbackReason: null });
  });

  it("leaves one consistent file holding every committed row and no WAL after close, whatever the write pattern", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            callers: fc.integer({ min: 1, max: 4 }),
            rows: fc.integer({ min: 1, max: 6 }),
            size: fc.integer({ min: 10, max: 6000 }),
            durable: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (bursts) => {
          file = path.join(dir, `p${run++}.sqlite`);
          const db = new SqliteDb(file, { checkpoints: "worker", checkpointPages: 20 });
          await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
          await poll(() => db.checkpointStatus().mode, (m) => m !== "starting");
          const committed: number[] = [];
          let next = 1;
          for (const b of bursts) {
            for (let k = 0; k < 10; k++) {
              await Promise.all(
                Array.from({ length: b.callers }, async () => {
                  const ids = Array.from({ length: b.rows }, () => next++);
                  await db.tx(
                    async (tx) => {
                      for (const id of ids) await tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [id, "b".repeat(b.size)]);
                    },
                    { durable: b.durable },
                  );
                  committed.push(...ids);
                }),
              );
            }
          }
          await db.close();
          expect(fs.existsSync(`${file}-wal`), "a -wal file left").to.equal(false);
          const { ids, integrity } = idsInFile(file);
          expect(integrity).to.equal("ok");
          expect([...ids].sort((a, b) => a - b)).to.deep.equal(committed.sort((a, b) => a - b));
        },
      ),
      { numRuns: 6 },
    );
  });

  it("the crash test's child script starts nothing when it is loaded as a module (hardhat test loads every file under test/)", async () => {
    const { code, out } = await runNode(["--require", "ts-node/register/transpile-only", "-e", `require(${JSON.stringify(CHILD)})`]);
    expect({ code, out }).to.deep.equal({ code: 0, out: "" });
  });

  it("loses no committed row when the process is killed while its thread checkpoints", async () => {
    const committed = new Set<number>();
    for (const killAt of [2, 5, 9]) {
      const child = spawn(process.execPath, ["--no-node-snapshot", "--require", "ts-node/register/transpile-only", CHILD, file], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      let checkpoints = 0;
      let buffered = "";
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.stdout.on("data", (c: Buffer) => {
        buffered += c.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("ok ")) committed.add(Number(line.slice(3)));
          else if (line === "ckpt" && ++checkpoints === killAt) child.kill("SIGKILL");
        }
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await exited;
      clearTimeout(timer);
      expect(checkpoints, `checkpoints the child started (stderr: ${err})`).to.be.at.least(killAt);
      const { ids, integrity } = idsInFile(file);
      expect(integrity).to.equal("ok");
      const lost = [...committed].filter((id) => !ids.has(id));
      expect(lost, "committed rows missing after the kill").to.deep.equal([]);
    }
    expect(committed.size).to.be.greaterThan(0);
  });
});
