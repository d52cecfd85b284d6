/**
 * The addresses that hold each role of a deployment. Environment variables win; then the named
 * accounts of hardhat.config.ts (local networks map them to dev accounts 0-5); operators and the
 * owner fall back to the deployer, api payers to none.
 */
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

export interface Roles {
  deployer: string;
  owner: string;
  configOperator: string;
  pricingOperator: string;
  adminApiPayer: string;
  apiPayers: string[];
}

function envAddress(name: string): string | undefined {
  const value = (process.env[name] ?? "").trim();
  if (!value) return undefined;
  try {
    return getAddress(value);
  } catch {
    throw new Error(`${name}: expected a 0x-prefixed 20-byte address, got "${value}"`);
  }
}

function envAddressList(name: string): string[] | undefined {
  const value = (process.env[name] ?? "").trim();
  if (!value) return undefined;
  return value.split(",").map((part, i) => {
    try {
      return getAddress(part.trim());
    } catch {
      throw new Error(`${name}: entry ${i + 1} is not an address ("${part.trim()}")`);
    }
  });
}

export async function resolveRoles(hre: HardhatRuntimeEnvironment): Promise<Roles> {
  const named = await hre.getNamedAccounts();
  const deployer = named.deployer;
  if (!deployer) throw new Error("no deployer account: set DEPLOYER_PRIVATE_KEY for this network");
  const pick = (env: string, role: string) => envAddress(env) ?? named[role] ?? deployer;
  const localPayers = [named.apiPayer1, named.apiPayer2].filter((a): a is string => Boolean(a));
  return {
    deployer,
    owner: pick("DIAMOND_OWNER", "owner"),
    configOperator: pick("CONFIG_OPERATOR", "configOperator"),
    pricingOperator: pick("PRICING_OPERATOR", "pricingOperator"),
    adminApiPayer: pick("ADMIN_API_PAYER", "adminApiPayer"),
    apiPayers: envAddressList("API_PAYERS") ?? localPayers,
  };
}
