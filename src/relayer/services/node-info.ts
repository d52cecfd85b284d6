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

import { LIT_ACTION_DEFAULTS, MIN_MEMORY_LIMIT_MB } from "../../core/lit-action-limits";
export { LIT_ACTION_DEFAULTS, MIN_MEMORY_LIMIT_MB };

/**
 * The values a Lit Action limit may take, on-chain or in the environment: an integer with
 * 0 < value <= 10 x default (memory_limit_mb from MIN_MEMORY_LIMIT_MB).
 */
export function clientLimitBounds(key: keyof LitActionClientConfig): { min: number; max: number } {
  return { min: key === "memory_limit_mb" ? MIN_MEMORY_LIMIT_MB : 1, max: 10 * LIT_ACTION_DEFAULTS[key] };
}

/** Node configuration entries set on-chain (setNodeConfiguration), when the backend supplies them. */
export type NodeConfigurationSource = () => Promise<Readonly<Record<string, string>>>;

export class NodeInfoService {
  constructor(
    private readonly deps: {
      chain: ChainInfo;
      build: BuildInfo;
      nodeConfiguration?: NodeConfigurationSource;
      /** This node's own limits (LIT_ACTION_* settings): they win over the chain's, as enforced. */
      localLimits?: Partial<LitActionClientConfig>;
    },
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
   * The limits this node enforces: the defaults, each overridden on-chain by a node configuration
   * entry of the same name holding an integer within clientLimitBounds (other values are ignored),
   * then by this node's own LIT_ACTION_* settings. One wall-clock limit covers a run, awaited work
   * included, so async_timeout_ms is timeout_ms.
   */
  async litActionClientConfig(): Promise<LitActionClientConfig> {
    const config: LitActionClientConfig = { ...LIT_ACTION_DEFAULTS };
    const entries = this.deps.nodeConfiguration === undefined ? {} : await this.deps.nodeConfiguration();
    for (const key of Object.keys(LIT_ACTION_DEFAULTS) as (keyof LitActionClientConfig)[]) {
      const text = entries[key];
      if (text === undefined || !/^[0-9]+$/.test(text.trim())) continue;
      const value = Number(text.trim());
      const { min, max } = clientLimitBounds(key);
      if (value >= min && value <= max) config[key] = value;
    }
    Object.assign(config, this.deps.localLimits ?? {});
    config.async_timeout_ms = config.timeout_ms;
    return config;
  }

  version(): { name: string; version: string; commitVersion: string; submoduleVersions: [string, string][] } {
    const b = this.deps.build;
    return { name: b.name, version: b.version, commitVersion: b.commit, submoduleVersions: b.components ?? [] };
  }
}
