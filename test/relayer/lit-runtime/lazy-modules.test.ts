/**
 * The lazy CommonJS bundler behind the actions' ethers (lazy-modules.ts): modules run on first
 * require, TypeScript's top-level imports are lazy, Node's resolution with the browser field, and
 * the same exports as Node's own loader. Fixture packages are written to a temporary folder.
 */
import { expect } from "chai";
import * as fs from "fs";
import ivm from "isolated-vm";
import * as os from "os";
import * as path from "path";
import { compact, lazifyImports, lazyBundle } from "../../../src/relayer/lit-runtime/lazy-modules";

describe("lit runtime: lazy modules", function () {
  this.timeout(60_000);
  let root: string;
  const isolates: ivm.Isolate[] = [];

  /** Writes `files` (relative name -> text) under a new folder of `root`; returns the folder. */
  function fixture(name: string, files: Record<string, string>): string {
    const dir = path.join(root, name);
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
  }

  /** A context where `bundle`'s exports are the global `out` (and evaluated modules are listed in `loaded`). */
  function evaluate(bundle: string): ivm.Context {
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    isolates.push(isolate);
    const context = isolate.createContextSync();
    context.evalSync(`globalThis.out = ${bundle};`);
    return context;
  }
  const json = (context: ivm.Context, code: string): unknown => JSON.parse(String(context.evalSync(`JSON.stringify(${code})`)));

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "lazy-modules-"));
  });
  after(() => {
    for (const i of isolates) i.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const TS_MODULES = {
    "package.json": JSON.stringify({ name: "fixture-ts", version: "1.0.0", main: "lib/index.js" }),
    "lib/index.js": [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      'var heavy_1 = require("./heavy");',
      'var light_1 = require("./light");',
      "function useHeavy() { return heavy_1.value * 2; }",
      "exports.useHeavy = useHeavy;",
      'exports.light = function () { return (0, light_1.name)() + " uses heavy_1 in a string"; };',
      "",
    ].join("\n"),
    "lib/heavy.js": '"use strict";\nglobalThis.heavyRuns = (globalThis.heavyRuns || 0) + 1;\nexports.value = 21;\n',
    "lib/light.js": '"use strict";\nexports.name = function () { return "light"; };\n',
  };

  it("a module required by an unused top-level import is not evaluated until the import is used, then once", () => {
    const dir = fixture("ts", TS_MODULES);
    const context = evaluate(lazyBundle({ entry: path.join(dir, "lib/index.js"), lazyImports: () => true, trace: "loaded" }));
    expect(json(context, "[typeof heavyRuns, loaded]")).to.deep.equal(["undefined", ["index.js"]]);
    expect(json(context, "out.light()")).to.equal("light uses heavy_1 in a string");
    expect(json(context, "[typeof heavyRuns, loaded]")).to.deep.equal(["undefined", ["index.js", "light.js"]]);
    expect(json(context, "[out.useHeavy(), out.useHeavy(), heavyRuns]")).to.deep.equal([42, 42, 1]);
  });

  it("without lazy imports, requiring a module evaluates what it requires (as Node does)", () => {
    const dir = fixture("ts-eager", TS_MODULES);
    const context = evaluate(lazyBundle({ entry: path.join(dir, "lib/index.js"), lazyImports: () => false, trace: "loaded" }));
    expect(json(context, "[heavyRuns, loaded]")).to.deep.equal([1, ["index.js", "heavy.js", "light.js"]]);
  });

  it("gives the exports Node's own loader gives, cycles and module.exports replacement included", () => {
    const dir = fixture("cycle", {
      "package.json": JSON.stringify({ name: "fixture-cycle", version: "1.0.0" }),
      "a.js": 'exports.early = "a"; var b = require("./b"); exports.fromB = b.seenA; exports.late = "a2";',
      "b.js": 'var a = require("./a"); exports.seenA = Object.keys(a).join(","); module.exports.c = require("./c.json").c;',
      "c.json": '{ "c": [1, 2] }',
      "d.js": 'module.exports = function d() { return require("./a").late; };',
      "main.js": 'var d = require("./d"); module.exports = { a: require("./a"), b: require("./b"), d: d() };',
    });
    const context = evaluate(lazyBundle({ entry: path.join(dir, "main.js"), lazyImports: () => false }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const node = require(path.join(dir, "main.js")) as unknown;
    expect(json(context, "out")).to.deep.equal(JSON.parse(JSON.stringify(node)));
  });

  it("applies the browser field (files replaced, modules removed); a Node built-in cannot be required", () => {
    const dir = fixture("browser", {
      "node_modules/dep/package.json": JSON.stringify({
        name: "dep",
        version: "1.0.0",
        main: "lib/index.js",
        browser: { "./lib/impl.js": "./lib/browser-impl.js", crypto: false },
      }),
      "node_modules/dep/lib/index.js":
        'var impl = require("./impl");\nvar c; try { c = require("crypto"); } catch (e) { c = "no " + e.message; }\nmodule.exports = { impl: impl, c: c };',
      "node_modules/dep/lib/impl.js": 'module.exports = "node";',
      "node_modules/dep/lib/browser-impl.js": 'module.exports = "browser";',
      "node_modules/main-swap/package.json": JSON.stringify({ name: "main-swap", version: "1.0.0", main: "node.js", browser: "./browser.js" }),
      "node_modules/main-swap/node.js": 'module.exports = "node main";',
      "node_modules/main-swap/browser.js": 'module.exports = "browser main";',
      "package.json": JSON.stringify({ name: "fixture-browser", version: "1.0.0" }),
      "main.js": 'var fs; try { fs = require("fs"); } catch (e) { fs = e.message; }\nmodule.exports = { dep: require("dep"), swap: require("main-swap"), fs: fs };',
    });
    const context = evaluate(lazyBundle({ entry: path.join(dir, "main.js"), lazyImports: () => false }));
    expect(json(context, "out")).to.deep.equal({
      dep: { impl: "browser", c: "no Cannot find module 'crypto'" },
      swap: "browser main",
      fs: "Cannot find module 'fs'",
    });
  });

  it("lazy imports leave string literals and property names alone, and keep `new x_1.C()` a constructor call", () => {
    const out = lazifyImports(
      ['var m_1 = require("m");', 'var s = "m_1" + \'m_1\';', "var o = { p: x.m_1 };", "var c = new m_1.C(1);", "exports.n = m_1;", ""].join("\n"),
    );
    expect(out).to.include('var s = "m_1" + \'m_1\';');
    expect(out).to.include("x.m_1");
    expect(out).to.include("var c = new (m_1$()).C(1);");
    expect(out).to.include('Object.defineProperty(exports, "n", { enumerable: true, get: function () { return m_1$(); } });');
    expect(out).to.not.match(/^var m_1 = require/m);
  });

  it("a patch or an alias for a file the bundle does not contain fails the build", () => {
    const dir = fixture("patch", { "package.json": JSON.stringify({ name: "fixture-patch", version: "1.0.0" }), "main.js": "module.exports = 1;" });
    const entry = path.join(dir, "main.js");
    const missing = path.join(dir, "other.js");
    expect(() => lazyBundle({ entry, lazyImports: () => false, patches: new Map([[missing, (s: string) => s]]) })).to.throw(/not in the bundle/);
    expect(() => lazyBundle({ entry, lazyImports: () => false, aliases: new Map([[missing, entry]]) })).to.throw(/not in the bundle/);
  });

  it("compacting drops indentation and comment lines, but leaves a module with a template literal or a line continuation as it is", () => {
    expect(compact('function f() {\n    // note\n    return "a  b";\n}\n//# sourceMappingURL=f.js.map\n')).to.equal('function f() {\nreturn "a  b";\n}\n');
    const template = "var t = `a\n    b`;\n    // kept\n";
    expect(compact(template)).to.equal(template);
    const continued = 'var s = "a\\\n    b";\n';
    expect(compact(continued)).to.equal(continued);
  });
});
