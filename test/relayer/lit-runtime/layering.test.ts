/**
 * The Lit Action runtime (src/relayer/lit-runtime) sits below the relayer's services: no file of it
 * imports (statically, dynamically or with require) from src/relayer/services. What both need (the
 * limits' defaults, the code-store interface) lives in src/core or src/relayer/ports/.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const RUNTIME = path.resolve(__dirname, "../../../src/relayer/lit-runtime");
const SERVICES = path.resolve(__dirname, "../../../src/relayer/services");

/** The module specifiers `source` imports: import/export ... from, import(), require(). */
function importedSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The imports of `file` that resolve into `dir` (relative specifiers only; packages are outside). */
function importsInto(file: string, source: string, dir: string): string[] {
  return importedSpecifiers(source).filter((spec) => {
    if (!spec.startsWith(".")) return false;
    const target = path.resolve(path.dirname(file), spec);
    return target === dir || target.startsWith(dir + path.sep);
  });
}

function runtimeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return runtimeFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

describe("lit runtime: layering", function () {
  it("finds a services import in every form it can take (static, type-only, re-export, dynamic, require)", () => {
    const file = path.join(RUNTIME, "example.ts");
    const forms = [
      `import { X } from "../services/node-info";`,
      `import type { CodeStore } from "../services/actions";`,
      `export { Y } from "../services";`,
      `const m = await import("../services/lit-action");`,
      `const r = require("../services/errors");`,
    ];
    for (const form of forms) expect(importsInto(file, form, SERVICES), form).to.have.length(1);
    expect(importsInto(file, `import { Z } from "../ports"; import * as fs from "fs";`, SERVICES)).to.deep.equal([]);
  });

  it("no file under src/relayer/lit-runtime imports from src/relayer/services", () => {
    const files = runtimeFiles(RUNTIME);
    expect(files.length).to.be.greaterThan(5);
    const offending = files.flatMap((file) =>
      importsInto(file, fs.readFileSync(file, "utf8"), SERVICES).map((spec) => `${path.relative(RUNTIME, file)} -> ${spec}`),
    );
    expect(offending).to.deep.equal([]);
  });
});
