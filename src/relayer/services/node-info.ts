/**
 * Public, unauthenticated information: chain config (no RPC URL), Lit Action client limits,
 * version. Nothing here touches the chain.
 */
import type { Address } from "../ports";

export interface ChainInfo {
  name: string;
  chainId: number;
  testnet: boolean;
  token: string;
  /** The diamond, `0x` + 40 lowercase hex; null when not configured. */
  contractAddress: Address | null;
}

export interface BuildInfo {
  name: string;
  version: string;
  commit: string;
  /** [component, version] pairs. */
  components?: [string, string][];
}

export interface NodeChainConfig {
  chainName: string;
  chainId: number;
  isEvm: boolean;
  testnet: boolean;
  token: string;
  contractAddress: string;
}

import type { LitActionClientConfig } from "../../core/api-types";
export type { LitActionClientConfig };

export const LIT_ACTION_DEFAULTS: Readonly<LitActionClientConfig> = Object.freeze({
  timeout_ms: 900_000,
  async_timeout_ms: 900_000,
  memory_limit_mb: 64,
  max_code_length: 16 * 1024 * 1024,
  max_response_length: 102_400,
  max_console_log_length: 102_400,
  max_fetch_count: 50,
  max_get_keys_count: 10,
  max_retries: 3,
  client_timeout_ms_buffer: 5_000,
});

/** Node configuration entries set on-chain (setNodeConfiguration), when the backend supplies them. */
export type NodeConfigurationSource = () => Promise<Readonly<Record<string, string>>>;

export class NodeInfoService {
  constructor(
    private readonly deps: { chain: ChainInfo; build: BuildInfo; nodeConfiguration?: NodeConfigurationSource },
  ) {}

  chainConfig(): NodeChainConfig {
    const c = this.deps.chain;
    return {
      chainName: c.name,
      chainId: c.chainId,
      isEvm: true,
      testnet: c.testnet,
      token: c.token,
      contractAddress: c.contractAddress ?? "",
    };
  }

  /** The chain names this node can report (one: its own). */
  chainConfigKeys(): string[] {
    return [this.deps.chain.name];
  }

  /**
   * The defaults, each overridable on-chain by a node configuration entry of the same name holding
   * an integer with 0 < value <= 10 x default; other values are ignored.
   */
  async litActionClientConfig(): Promise<LitActionClientConfig> {
    const config: LitActionClientConfig = { ...LIT_ACTION_DEFAULTS };
    const entries = this.deps.nodeConfiguration === undefined ? {} : await this.deps.nodeConfiguration();
    for (const key of Object.keys(LIT_ACTION_DEFAULTS) as (keyof LitActionClientConfig)[]) {
      const text = entries[key];
      if (text === undefined || !/^[0-9]+$/.test(text.trim())) continue;
      const value = Number(text.trim());
      if (value > 0 && value <= 10 * LIT_ACTION_DEFAULTS[key]) config[key] = value;
    }
    return config;
  }

  version(): { name: string; version: string; commitVersion: string; submoduleVersions: [string, string][] } {
    const b = this.deps.build;
    return { name: b.name, version: b.version, commitVersion: b.commit, submoduleVersions: b.components ?? [] };
  }
}
