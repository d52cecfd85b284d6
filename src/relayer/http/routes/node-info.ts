import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import {
  AdminApiPayerReply,
  ApiPayersReply,
  ChainConfigKeysReply,
  LitActionClientConfigReply,
  NodeChainConfigReply,
  VersionReply,
} from "../schemas/node-info";

export function registerNodeInfoRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "GET",
    path: "/get_node_chain_config",
    tag: "node",
    summary: "Chain and contract of this node (no RPC URL)",
    auth: "none",
    response: NodeChainConfigReply,
    handle: async () => {
      const c = services.nodeInfo.chainConfig();
      return {
        chain_name: c.chainName,
        chain_id: c.chainId,
        is_evm: c.isEvm,
        testnet: c.testnet,
        token: c.token,
        contract_address: c.contractAddress,
      };
    },
  });

  endpoint(app, services, {
    method: "GET",
    path: "/get_chain_config_keys",
    tag: "node",
    summary: "Names of the chain configurations this node serves",
    auth: "none",
    response: ChainConfigKeysReply,
    handle: async () => ({ keys: services.nodeInfo.chainConfigKeys() }),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/get_lit_action_client_config",
    tag: "node",
    summary: "Lit Action limits a client should respect",
    auth: "none",
    response: LitActionClientConfigReply,
    handle: async () => services.nodeInfo.litActionClientConfig(),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/get_api_payers",
    tag: "node",
    summary: "Addresses of the api payers",
    auth: "none",
    response: ApiPayersReply,
    handle: async () => services.payers.apiPayers(),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/get_admin_api_payer",
    tag: "node",
    summary: "Address of the admin api payer",
    auth: "none",
    response: AdminApiPayerReply,
    handle: async () => services.payers.adminApiPayer(),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/version",
    tag: "node",
    summary: "Relayer name and version",
    auth: "none",
    response: VersionReply,
    handle: async () => {
      const v = services.nodeInfo.version();
      return {
        name: v.name,
        version: v.version,
        commit_version: v.commitVersion,
        submodule_versions: v.submoduleVersions,
      };
    },
  });
}
