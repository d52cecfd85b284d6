/**
 * A CommonJS bundle whose modules are evaluated on first use (docs/lit-action-runtime.md, "Warm
 * isolates"). Built when a sandbox worker starts from the packages under node_modules, so it has no
 * build step and no generated file to keep in step with the installed versions.
 *
 * - Each module becomes a function in the bundle, run the first time something requires it (like
 *   Node's own loader: a cache per bundle instance, cycles see the partial exports). A module never
 *   required is never compiled nor run: V8 only skips over its text.
 * - In TypeScript-compiled modules (`lazyImports`), the top-level `var x_1 = require("...")` imports
 *   are made lazy too: the binding becomes a function that requires the module when first called,
 *   and every use of `x_1` calls it. So requiring `@ethersproject/wallet` does not evaluate
 *   `@ethersproject/json-wallets` (scrypt, AES) until a keystore is decrypted.
 * - Requires are resolved like Node does, with the packages' `browser` field applied (the browser
 *   build of ethers: browser-sha2, browser-random, ...); a Node built-in or a module the browser
 *   field removes cannot be required (the module's own `try` falls back, as in a browser).
 *
 * Loaded by sandbox workers: imports only Node built-ins.
 */
import * as fs from "fs";
import * as path from "path";

/** Changes a module's text before it is wrapped (for ethers-bundle.ts's patches). */
export type ModulePatch = (source: string) => string;

export interface LazyBundleOptions {
  /** The module whose exports the bundle returns. */
  entry: string;
  /** Whether a module's top-level imports are made lazy (TypeScript's CommonJS output only). */
  lazyImports: (file: string) => boolean;
  /** Files replaced by others (absolute names), after the browser field; every one must be used. */
  aliases?: ReadonlyMap<string, string>;
  /** Patches by absolute file name; every one must be used (a missing file fails the build). */
  patches?: ReadonlyMap<string, ModulePatch>;
  /** For tests: the name of a global array to which each module's path (relative to the entry's folder) is pushed when it is evaluated. */
  trace?: string;
}

interface PackageInfo {
  dir: string;
  /** The `browser` field: a replacement main, or replacements by module name / relative path. */
  browser: string | Record<string, string | false> | undefined;
}

const packages = new Map<string, PackageInfo>();

/** The package (nearest package.json with a name) that holds `file`. */
function packageOf(file: string): PackageInfo {
  let dir = path.dirname(file);
  for (;;) {
    const cached = packages.get(dir);
    if (cached !== undefined) return cached;
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const json = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; browser?: PackageInfo["browser"] };
      if (json.name !== undefined) {
        const info: PackageInfo = { dir, browser: json.browser };
        packages.set(dir, info);
        return info;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`lazy bundle: no package.json above ${file}`);
    dir = parent;
  }
}

/** `file` after its package's browser field (null: removed in the browser). */
function browserFile(file: string): string | null {
  const pkg = packageOf(file);
  const rel = `./${path.relative(pkg.dir, file).split(path.sep).join("/")}`;
  if (typeof pkg.browser === "string") {
    const main = require.resolve(pkg.dir);
    return main === file ? path.resolve(pkg.dir, pkg.browser) : file;
  }
  if (pkg.browser === undefined) return file;
  for (const key of [rel, rel.replace(/\.js$/, "")]) {
    const to = pkg.browser[key];
    if (to === false) return null;
    if (typeof to === "string") return path.resolve(pkg.dir, to);
  }
  return file;
}

/** The file `spec` required from `from` names in a browser build; null when it cannot be required. */
function resolve(spec: string, from: string): string | null {
  const browser = packageOf(from).browser;
  if (typeof browser === "object" && Object.prototype.hasOwnProperty.call(browser, spec)) {
    const to = browser[spec];
    if (to === false) return null;
    spec = to;
    from = path.join(packageOf(from).dir, "package.json");
  }
  let file: string;
  try {
    file = require.resolve(spec, { paths: [path.dirname(from)] });
  } catch {
    return null;
  }
  if (!path.isAbsolute(file)) return null; // a Node built-in
  return browserFile(file);
}

const REQUIRE = /\brequire\(\s*(["'])([^"']+)\1\s*\)/g;
/** TypeScript's top-level imports: `var x_1 = require("m");`, also through __importStar / __importDefault. */
const TOP_IMPORT = /^var ([A-Za-z_$][\w$]*) = ((?:__importStar|__importDefault)\()?require\("([^"]+)"\)(\))?;$/gm;

/** `source` with its top-level imports made lazy (see the file comment). */
export function lazifyImports(source: string): string {
  const names: string[] = [];
  let out = source.replace(TOP_IMPORT, (_all, name: string, wrap: string | undefined, spec: string) => {
    names.push(name);
    const value = `${wrap ?? ""}require(${JSON.stringify(spec)})${wrap === undefined ? "" : ")"}`;
    return `var ${name}$m; function ${name}$() { return ${name}$m === undefined ? (${name}$m = ${value}) : ${name}$m; }`;
  });
  for (const name of names) {
    const esc = name.replace(/\$/g, "\\$");
    // `exports.y = x;` (a namespace re-exported, ethers' `utils`) becomes a getter, so it stays lazy.
    out = out.replace(
      new RegExp(`^exports\\.([\\w$]+) = ${esc};$`, "gm"),
      (_all, key: string) => `Object.defineProperty(exports, ${JSON.stringify(key)}, { enumerable: true, get: function () { return ${name}$(); } });`,
    );
    // Every other use outside string literals (not a property name `.x`, not the `x$` helpers
    // themselves) calls the binding, in parentheses (`new (x_1$()).C()`).
    const use = new RegExp(`(?<![\\w$.])${esc}(?![\\w$])`, "g");
    out = outsideStrings(out, (code) => code.replace(use, `(${name}$())`));
  }
  return out;
}

/**
 * `source` with less text for V8 to take in (an isolate pays for every byte of the bundle: about
 * 1.5 ms of CPU per MB, parsed or not): indentation and whole-line `//` comments (source maps
 * included) removed. Only in a module without template literals and line continuations, the only
 * ways a string spans lines, so no string changes.
 */
export function compact(source: string): string {
  if (source.includes("`") || /\\\r?\n/.test(source)) return source.replace(/^\/\/# sourceMappingURL=.*$/gm, "");
  return source.replace(/^[ \t]+/gm, "").replace(/^\/\/.*\r?\n/gm, "");
}

/** Single- and double-quoted string literals on one line (TypeScript's ES5 output has no templates). */
const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

/** `source` with `change` applied to the text between string literals. */
function outsideStrings(source: string, change: (code: string) => string): string {
  let out = "";
  let from = 0;
  for (const m of source.matchAll(STRING)) {
    const at = m.index ?? 0;
    out += change(source.slice(from, at)) + m[0];
    from = at + m[0].length;
  }
  return out + change(source.slice(from));
}

/**
 * The JavaScript of an expression whose value is the entry module's exports; modules run on first
 * require. Identifiers in scope at the expression's place are visible to every module (ethers-
 * bundle.ts uses it for the native callback).
 */
export function lazyBundle(options: LazyBundleOptions): string {
  const ids = new Map<string, number>();
  const order: string[] = [];
  const unused = new Set([...(options.patches?.keys() ?? []), ...(options.aliases?.keys() ?? [])]);
  const visit = (required: string): number => {
    const alias = options.aliases?.get(required);
    if (alias !== undefined) unused.delete(required);
    const file = alias ?? required;
    const known = ids.get(file);
    if (known !== undefined) return known;
    const id = order.length;
    ids.set(file, id);
    order.push(file);
    return id;
  };
  visit(options.entry);
  const defs: string[] = [];
  const deps: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const file = order[i];
    let source = fs.readFileSync(file, "utf8");
    const patch = options.patches?.get(file);
    if (patch !== undefined) {
      source = patch(source);
      unused.delete(file);
    }
    if (file.endsWith(".json")) source = `module.exports = ${source.trim()};`;
    else if (options.lazyImports(file)) source = lazifyImports(source);
    const map: Record<string, number> = {};
    for (const m of source.matchAll(REQUIRE)) {
      const target = resolve(m[2], file);
      if (target !== null) map[m[2]] = visit(target);
    }
    source = compact(source);
    const name = path.relative(path.dirname(options.entry), file).split(path.sep).join("/");
    names.push(name);
    defs.push(`/* ${name} */ function (module, exports, require) {\n${source}\n}`);
    deps.push(JSON.stringify(map));
  }
  if (unused.size > 0) throw new Error(`lazy bundle: patched or aliased files not in the bundle: ${[...unused].join(", ")}`);
  const trace =
    options.trace === undefined
      ? ""
      : `\n    (globalThis[${JSON.stringify(options.trace)}] = globalThis[${JSON.stringify(options.trace)}] || []).push(${JSON.stringify(names)}[id]);`;
  return `(function () {
  var defs = [${defs.join(",\n")}];
  var deps = [${deps.join(",")}];
  var cache = [];
  function load(id) {
    var m = cache[id];
    if (m !== undefined) return m.exports;
    m = cache[id] = { exports: {} };${trace}
    var table = deps[id];
    defs[id].call(m.exports, m, m.exports, function (spec) {
      var to = Object.prototype.hasOwnProperty.call(table, spec) ? table[spec] : undefined;
      if (to === undefined) throw new Error("Cannot find module '" + spec + "'");
      return load(to);
    });
    return m.exports;
  }
  return load(0);
})()`;
}
