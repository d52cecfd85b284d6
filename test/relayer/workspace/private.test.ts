/**
 * The relayer workspace (src/relayer/package.json) is private (docs/operator.md "The relayer is
 * run from the repository, not published"): its code imports files outside its folder (src/core,
 * the root's TypeChain bindings) and its bin loads the root's tsconfig.json, none of which a
 * package made of src/relayer would carry. These tests keep the manifest and that reason in step.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const RELAYER = path.join(ROOT, "src", "relayer");

/** Every TypeScript file under `dir` (node_modules left out). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports of src/relayer's files that resolve outside src/relayer, as "file -> target". */
function importsLeavingTheWorkspace(): string[] {
  const out: string[] = [];
  for (const file of sources(RELAYER)) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\(|require\()\s*"(\.{1,2}\/[^"]*)"/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (path.relative(RELAYER, target).startsWith("..")) out.push(`${path.relative(ROOT, file)} -> ${path.relative(ROOT, target)}`);
    }
  }
  return out;
}

describe("relayer workspace: published or not", () => {
  it("finds the imports that leave src/relayer (src/core and the root's bindings)", () => {
    const leaving = importsLeavingTheWorkspace();
    expect(leaving.some((l) => l.endsWith("-> src/core") || / -> src\/core\//.test(l))).to.equal(true);
    expect(leaving.some((l) => / -> typechain-types/.test(l))).to.equal(true);
  });

  it("is private while its code imports files outside its folder", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(RELAYER, "package.json"), "utf8")) as { private?: boolean };
    const leaving = importsLeavingTheWorkspace();
    expect({ private: manifest.private === true || leaving.length === 0 }, `imports leaving src/relayer:\n${leaving.slice(0, 10).join("\n")}`).to.deep.equal({
      private: true,
    });
  });

  it("says why in docs/operator.md, which its package.json description points to", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "operator.md"), "utf8");
    expect(doc).to.include("## The relayer is run from the repository, not published");
    const manifest = JSON.parse(fs.readFileSync(path.join(RELAYER, "package.json"), "utf8")) as { description: string };
    expect(manifest.description).to.include("docs/operator.md");
  });
});
