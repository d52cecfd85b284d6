/**
 * The process the crash test of sqlite-checkpoint.test.ts kills: a SqliteDb with a small checkpoint
 * threshold under a steady durable write load. It prints `ok <id>` once a row's transaction has
 * settled (committed and synced), and `ckpt` when its checkpoint thread starts a checkpoint.
 * Usage: node --require ts-node/register/transpile-only sqlite-checkpoint-child.ts <database file>
 */
import { SqliteDb } from "../../../src/relayer/store";

const file = process.argv[2];
const ROW = "c".repeat(3000);

async function main(): Promise<void> {
  const db = new SqliteDb(file, {
    checkpoints: "worker",
    checkpointPages: 30,
    onCheckpointWorker: (w) => w.on("message", (m: { type: string }) => m.type === "started" && process.stdout.write("ckpt\n")),
  });
  await db.exec("CREATE TABLE IF NOT EXISTS o (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const start = Number((await db.one<{ n: number }>("SELECT coalesce(max(id), 0) AS n FROM o"))?.n ?? 0);
  let next = start + 1;
  process.stdout.write("writing\n");
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (;;) {
        const id = next++;
        await db.tx(async (tx) => tx.run("INSERT INTO o (id, body) VALUES ($1, $2)", [id, ROW]));
        process.stdout.write(`ok ${id}\n`);
      }
    }),
  );
}

// Only when run as a script: `hardhat test` loads every file under test/, this one included, and
// main() would then open a database named after its own arguments and fail outside any test.
if (require.main === module) void main();
