/**
 * Runs the README walkthrough (scripts/walkthrough.sh): starts `npm start`'s chain on a spare port,
 * pastes every README command, checks each printed JSON, stops the chain and checks the port closed.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import path from "path";

describe("README walkthrough against a local chain", () => {
  it("runs every walkthrough command successfully and stops the chain cleanly", function () {
    this.timeout(300_000);
    const root = path.resolve(__dirname, "..", "..");
    const run = spawnSync("bash", [path.join(root, "scripts", "walkthrough.sh")], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, CHAIN_PORT: process.env.WALKTHROUGH_PORT ?? "18545" },
      timeout: 280_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-4000)).to.equal(0);
    expect(output).to.match(/walkthrough ok: \d+ commands/);
  });
});
