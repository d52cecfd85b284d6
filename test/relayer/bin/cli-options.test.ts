/**
 * The relayer process's command-line arguments (src/relayer/main.ts cliOptions; README "Rebuilding
 * the index"). Before the fix `--reindex` was documented but never read: the relayer started on
 * its old index.
 */
import { expect } from "chai";
import { cliOptions } from "../../../src/relayer/main";

describe("relayer process: command-line arguments", () => {
  it("--reindex asks for the index to be rebuilt before the relayer starts", () => {
    expect(cliOptions(["--reindex"])).to.deep.equal({ reindex: true });
  });

  it("no argument starts on the index as it is", () => {
    expect(cliOptions([])).to.deep.equal({ reindex: false });
  });

  it("refuses an unknown argument instead of ignoring it", () => {
    expect(() => cliOptions(["--re-index"])).to.throw(/unknown argument\(s\) --re-index/);
  });
});
