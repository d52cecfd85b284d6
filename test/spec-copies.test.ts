import { expect } from "chai";
import fs from "fs";
import path from "path";
import { sharedSpecPath } from "./fixtures/spec";
import { skipBecause } from "./fixtures/skips";

describe("committed copies of the spec", () => {
  for (const name of ["abi-surface.md", "vectors.json"]) {
    it(`test/fixtures/spec/${name} equals ../shared/spec/${name}`, function () {
      const shared = sharedSpecPath(name);
      if (!shared) skipBecause(this, "spec-checkout", `no ../shared/spec/${name} beside the repository: nothing to compare the copy with`);
      const copy = fs.readFileSync(path.join(__dirname, "fixtures", "spec", name), "utf8");
      expect(copy).to.equal(fs.readFileSync(shared, "utf8"));
    });
  }
});
