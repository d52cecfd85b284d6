/** Option definitions shared by several task areas (same name, same help text everywhere). */
import { required, withDefault, type DefaultParam } from "./cli";

/** --account of a write that only the master key may make. */
export const MASTER_ACCOUNT = required("account: master API key text or 0x master apiKeyHash");

/** --account of a view: any key or hash of the account. */
export const ANY_ACCOUNT = required("account: API key text or 0x apiKeyHash");

/** --name and --description of a thing ("group", "action", ...), both "" by default. */
export function metadataParams(thing: string): { name: DefaultParam; description: DefaultParam } {
  return { name: withDefault(`${thing} name`, ""), description: withDefault(`${thing} description`, "") };
}
