#!/usr/bin/env node
/**
 * accountconfig-relayer: starts the relayer (src/relayer/main.ts) the way `npm run relayer` does,
 * in a child Node started with --no-node-snapshot (isolated-vm needs it on Node 20) and ts-node
 * (transpile only, the repository's tsconfig.json). Arguments are passed on (e.g. --reindex).
 *
 * Relative paths in the settings (DATA_DIR=./data) resolve against the directory the command was
 * run from: npm's INIT_CWD for `npm start -w accountconfig-relayer` / `npx accountconfig-relayer`,
 * else the current directory. The settings are those of docs/operator.md (.env beside the root
 * package.json, then the environment).
 */
"use strict";
const { spawn } = require("child_process");
const os = require("os");
const path = require("path");

const relayerDir = path.join(__dirname, "..");
const main = path.join(relayerDir, "main.ts");
const child = spawn(
  process.execPath,
  ["--no-node-snapshot", "--require", require.resolve("ts-node/register/transpile-only"), main, ...process.argv.slice(2)],
  {
    cwd: process.env.INIT_CWD || process.cwd(),
    env: { ...process.env, TS_NODE_PROJECT: path.join(relayerDir, "..", "..", "tsconfig.json") },
    // fd 3: the IPC channel the child watches; the operating system closes it when this process dies.
    stdio: ["inherit", "inherit", "inherit", "ipc"],
  },
);

// The relayer closes on SIGINT/SIGTERM (main.ts); a second delivery while it closes is ignored there.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 1));
});
child.on("error", (err) => {
  console.error(`accountconfig-relayer: cannot start node: ${err.message}`);
  process.exit(1);
});
