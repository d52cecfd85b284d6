/**
 * Every text field of every endpoint refuses text a database cannot store (issue 13 items 5 and
 * 10): the endpoints and their string fields are read from the OpenAPI document (generated from
 * the same schemas that validate requests), so a new endpoint or field is covered without
 * touching this test.
 */
import { expect } from "chai";
import { bearer, errorBody, makeApp, newAccount, type TestApp } from "../http/support";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  nullable?: boolean;
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** A value of the right shape for `schema`, with every optional property present. */
function sample(schema: JsonSchema): unknown {
  const branch = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find((s) => s.type !== "null");
  if (branch !== undefined) return sample(branch);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      return "a";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    case "array":
      return schema.items === undefined ? [] : [sample(schema.items)];
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sample(s)]));
    default:
      return null; // an open value (js_params, typed data): not a text field
  }
}

/** Paths (field names as the API reports them) of the string values in `value` per `schema`. */
function stringFields(schema: JsonSchema, value: unknown, field: string): string[] {
  if (typeof value === "string") return [field];
  if (Array.isArray(value)) {
    const items = schema.items ?? [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find((s) => s.items)?.items;
    return items === undefined ? [] : value.flatMap((v, i) => stringFields(items, v, `${field}[${i}]`));
  }
  if (typeof value === "object" && value !== null) {
    const props = schema.properties ?? [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find((s) => s.properties)?.properties ?? {};
    return Object.entries(value).flatMap(([k, v]) =>
      props[k] === undefined ? [] : stringFields(props[k], v, field === "" ? k : `${field}.${k}`),
    );
  }
  return [];
}

/** `value` with the string at `field` replaced by `text`. */
function replaced(value: unknown, field: string, text: string): unknown {
  if (field === "") return text;
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const steps = field.match(/[^.[\]]+/g) ?? [];
  let node: Record<string, unknown> | unknown[] = copy;
  steps.forEach((step, i) => {
    const k = /^[0-9]+$/.test(step) ? Number(step) : step;
    if (i === steps.length - 1) (node as Record<string | number, unknown>)[k] = text;
    else node = (node as Record<string | number, unknown>)[k] as Record<string, unknown>;
  });
  return copy;
}

const POISONS: [string, string][] = [
  ["a NUL", "x\u0000y"],
  ["a lone high surrogate", "x\ud800y"],
  ["a lone low surrogate", "\udc00"],
];

describe("relayer hardening: every text field of every endpoint", () => {
  let t: TestApp;
  let key: string;
  let operations: { method: string; path: string; op: Operation }[];

  before(async () => {
    t = await makeApp();
    key = (await newAccount(t.app)).key;
    const doc = (await t.app.inject({ method: "GET", url: "/core/v1/openapi.json" })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });

  it("answers 400 InvalidText naming the field for a NUL or a lone surrogate in any body string, writing nothing", async () => {
    let checked = 0;
    for (const { method, path, op } of operations) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (schema === undefined) continue;
      const valid = sample(schema);
      for (const field of stringFields(schema, valid, "")) {
        for (const [what, text] of POISONS) {
          const writes = t.chain.requests.length;
          const res = await t.app.inject({
            method: method as "POST",
            url: path,
            headers: { "content-type": "application/json", ...bearer(key) },
            payload: JSON.stringify(replaced(valid, field, text)),
          });
          const context = `${method} ${path} ${field} with ${what}: ${res.statusCode} ${res.body}`;
          expect(res.statusCode, context).to.equal(400);
          expect(errorBody(res).code, context).to.equal("InvalidText");
          expect(errorBody(res).error, context).to.contain(field === "" ? "body" : field);
          expect(t.chain.requests.length, context).to.equal(writes);
          checked++;
        }
      }
    }
    // new_account, usage keys, groups, actions, CIDs, signatures, billing ...: dozens of fields.
    expect(checked).to.be.greaterThan(100);
  });

  it("leaves open values alone: a NUL inside js_params reaches the action unchanged", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/core/v1/lit_action",
      headers: { "content-type": "application/json", ...bearer(key) },
      payload: JSON.stringify({ code: "async function main(p) { return p.s.length; }", js_params: { s: "a\u0000b" } }),
    });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json()).to.deep.include({ response: 3, has_error: false });
  });
});
