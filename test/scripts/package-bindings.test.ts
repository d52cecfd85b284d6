/**
 * scripts/lib/package-bindings.ts: which TypeChain bindings are test-only, and how the bindings'
 * index files read without them (the package build, scripts/build-package.ts; the packed result is
 * tested in test/package/contents.test.ts).
 */
import { expect } from "chai";
import * as ts from "typescript";
import { isTestBinding, withoutTestBindings } from "../../scripts/lib/package-bindings";

describe("package build: test-only bindings left out", () => {
  it("counts bindings and factories under contracts/test as test-only, and nothing else", () => {
    expect(["contracts/test", "contracts/test/X.ts", "factories/contracts/test/X__factory", "factories/contracts/test/index"].map(isTestBinding)).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(["contracts/testing/X.ts", "contracts/facets/TestFacet.ts", "factories/contracts/index", "test/X.ts"].map(isTestBinding)).to.deep.equal([
      false,
      false,
      false,
      false,
    ]);
  });

  it("cuts a namespace import of the test folder and the type re-export of its name", () => {
    const text = [
      'import type * as facets from "./facets";',
      "export type { facets };",
      'import type * as test from "./test";',
      "export type { test };",
      'export type { AccountConfig } from "./AccountConfig";',
      "",
    ].join("\n");
    expect(withoutTestBindings(ts, "contracts/index.ts", text)).to.equal(
      ['import type * as facets from "./facets";', "export type { facets };", 'export type { AccountConfig } from "./AccountConfig";', ""].join("\n"),
    );
  });

  it("cuts re-exports of test factories and types from the root index, keeping the others", () => {
    const text = [
      'export * as factories from "./factories";',
      'export type { ERC1271WalletTest } from "./contracts/test/ERC1271WalletTest";',
      'export { ERC1271WalletTest__factory } from "./factories/contracts/test/ERC1271WalletTest__factory";',
      'export { IAccountConfig__factory } from "./factories/contracts/interfaces/IAccountConfig__factory";',
      "",
    ].join("\n");
    expect(withoutTestBindings(ts, "index.ts", text)).to.equal(
      ['export * as factories from "./factories";', 'export { IAccountConfig__factory } from "./factories/contracts/interfaces/IAccountConfig__factory";', ""].join("\n"),
    );
    expect(withoutTestBindings(ts, "factories/contracts/index.ts", 'export * as init from "./init";\nexport * as test from "./test";\n')).to.equal(
      'export * as init from "./init";\n',
    );
  });
});
