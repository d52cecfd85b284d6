/** The shape of an event handler: applies one decoded diamond event through a journaled RowWriter. */
import type { EventArgs } from "./values";
import type { RowWriter } from "./journal";

export type EventHandler = (w: RowWriter, args: EventArgs) => Promise<void>;
export type Handlers = Readonly<Record<string, EventHandler>>;

/** A binding row (hash -> master, kind): what a hash resolves to. */
export async function bind(w: RowWriter, hash: string, master: string, kind: string): Promise<void> {
  await w.upsert("bindings", { hash, master, kind });
}
