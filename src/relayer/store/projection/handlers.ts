/**
 * Every diamond event and what it does to the index: the handlers of each domain, and the events
 * that carry no indexed state. test/relayer/store/projection-handlers.test.ts checks that every
 * event of the diamond's ABI has an entry here.
 */
import type { Handlers } from "./handler";
import { ACCOUNT_HANDLERS } from "./accounts";
import { ACTION_HANDLERS } from "./actions";
import { BILLING_HANDLERS } from "./billing";
import { CONFIGURATION_HANDLERS } from "./configuration";
import { GROUP_HANDLERS } from "./groups";
import { USAGE_KEY_HANDLERS } from "./usage-keys";
import { WALLET_HANDLERS } from "./wallets";

const noState = async (): Promise<void> => undefined;

/** Events that change nothing the index keeps (a diamond upgrade, an execution trigger, a batch member's result). */
export const NO_STATE_EVENTS: Handlers = {
  DiamondCut: noState,
  ServerTriggered: noState,
  BatchCallResult: noState,
};

function merge(...parts: Handlers[]): Handlers {
  const out: Record<string, Handlers[string]> = {};
  for (const part of parts) {
    for (const [name, handler] of Object.entries(part)) {
      if (name in out) throw new Error(`projection: two handlers for ${name}`);
      out[name] = handler;
    }
  }
  return out;
}

export const EVENT_HANDLERS: Handlers = merge(
  ACCOUNT_HANDLERS,
  ACTION_HANDLERS,
  GROUP_HANDLERS,
  WALLET_HANDLERS,
  USAGE_KEY_HANDLERS,
  BILLING_HANDLERS,
  CONFIGURATION_HANDLERS,
  NO_STATE_EVENTS,
);
