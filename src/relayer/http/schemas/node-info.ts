import { Type } from "@sinclair/typebox";

export const NodeChainConfigReply = Type.Object({
  chain_name: Type.String(),
  chain_id: Type.Integer(),
  is_evm: Type.Boolean(),
  testnet: Type.Boolean(),
  token: Type.String(),
  contract_address: Type.String({ description: "the AccountConfig diamond" }),
});

export const ChainConfigKeysReply = Type.Object({ keys: Type.Array(Type.String()) });

export const LitActionClientConfigReply = Type.Object({
  timeout_ms: Type.Number(),
  async_timeout_ms: Type.Number(),
  memory_limit_mb: Type.Number(),
  max_code_length: Type.Number(),
  max_response_length: Type.Number(),
  max_console_log_length: Type.Number(),
  max_fetch_count: Type.Number(),
  max_get_keys_count: Type.Number(),
  max_retries: Type.Number(),
  client_timeout_ms_buffer: Type.Number(),
});

export const ApiPayersReply = Type.Array(Type.String({ description: "address" }));
export const AdminApiPayerReply = Type.String({ description: "address" });

export const VersionReply = Type.Object({
  name: Type.String(),
  version: Type.String(),
  commit_version: Type.String(),
  submodule_versions: Type.Array(Type.Tuple([Type.String(), Type.String()])),
});

export const HealthReply = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
  components: Type.Record(Type.String(), Type.Boolean()),
});
export const ReadyReply = Type.Object({ ready: Type.Boolean() });
