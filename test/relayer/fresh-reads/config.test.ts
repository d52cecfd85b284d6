/** FRESH_READS and FRESH_READ_TIMEOUT_MS: defaults, accepted values, and errors naming the variable. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, loadConfig } from "../../../src/relayer/config";

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "relayer-fresh-config-"));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("fresh-read settings", () => {
  it("default to every answer that depends on wallet-written state, waiting at most 3000 ms", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).freshReads).to.deep.equal({ policy: "all", timeoutMs: 3000 });
  });

  it("accept all, signatures and off in any case, and a timeout in ms", () => {
    for (const [text, policy] of [["ALL", "all"], ["signatures", "signatures"], ["Off", "off"]]) {
      expect(loadConfig({ DATA_DIR: dataDir(), FRESH_READS: text, FRESH_READ_TIMEOUT_MS: "750" }).freshReads).to.deep.equal({
        policy,
        timeoutMs: 750,
      });
    }
  });

  it("refuse another policy or a timeout out of range, naming the variable", () => {
    expect(problemsOf({ FRESH_READS: "some" })).to.deep.equal(['FRESH_READS: expected one of all, signatures, off, got "some"']);
    expect(problemsOf({ FRESH_READ_TIMEOUT_MS: "50" })).to.deep.equal(['FRESH_READ_TIMEOUT_MS: expected an integer 100..60000, got "50"']);
    expect(problemsOf({ FRESH_READ_TIMEOUT_MS: "3s" })).to.have.length(1);
  });
});
