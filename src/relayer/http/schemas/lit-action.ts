import { Type } from "@sinclair/typebox";

export const LitActionBody = Type.Object({
  code: Type.Optional(Type.String({ description: "the action's JavaScript; its CID is computed by the server" })),
  ipfs_id: Type.Optional(
    Type.String({ description: "CID (Qm...) of code the server already knows; must match `code` when both are sent" }),
  ),
  js_params: Type.Optional(Type.Unknown({ description: "any JSON value, passed to main(params) (default null)" })),
});

export const LitActionReply = Type.Object({
  response: Type.Unknown({
    description: "the action's response (JSON-parsed when it parses), or the error message when has_error",
  }),
  logs: Type.String({ description: "console output, one line per call, each followed by \\n" }),
  has_error: Type.Boolean(),
});
