#!/usr/bin/env node
// Fails (exit 1) when Solidity coverage is below the thresholds of the project.
// Reads coverage/coverage-summary.json written by `hardhat coverage` (json-summary reporter).
const fs = require("fs");
const path = require("path");

const THRESHOLDS = { lines: 95, branches: 90 };
const file = path.join(__dirname, "..", "coverage", "coverage-summary.json");
if (!fs.existsSync(file)) {
  console.error(`coverage summary not found at ${file}: run \`npx hardhat coverage\` first`);
  process.exit(1);
}
const total = JSON.parse(fs.readFileSync(file, "utf8")).total;
let ok = true;
for (const [metric, min] of Object.entries(THRESHOLDS)) {
  const pct = total[metric].pct;
  const pass = pct >= min;
  ok &&= pass;
  console.log(`coverage ${metric}: ${pct.toFixed(2)}% (minimum ${min}%) ${pass ? "ok" : "TOO LOW"}`);
}
console.log(`coverage statements: ${total.statements.pct.toFixed(2)}%, functions: ${total.functions.pct.toFixed(2)}%`);
process.exit(ok ? 0 : 1);
