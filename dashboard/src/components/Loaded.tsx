/** What a panel shows while its data loads, when loading failed, and when the list is empty. */
import type { ReactNode } from "react";
import type { Loaded } from "../state/load";
import { ErrorNotice } from "./ErrorNotice";

/** The load error (role=alert) and, before the first data, the loading line (role=status). */
export function LoadNotice<T>(props: { loaded: Loaded<T>; errorLabel: string; loadingText: string }) {
  const { loaded } = props;
  return (
    <>
      {loaded.error === null ? null : <ErrorNotice error={loaded.error} label={props.errorLabel} />}
      {loaded.loading && loaded.data === null ? <p role="status">{props.loadingText}</p> : null}
    </>
  );
}

/**
 * A loaded list of `what` ("actions": "Loading the actions" failed, "Loading actions…"): `emptyText`
 * when it has no items, else `children(items)`.
 */
export function LoadedList<T>(props: {
  loaded: Loaded<T[]>;
  what: string;
  emptyText: string;
  children(items: T[]): ReactNode;
}) {
  const items = props.loaded.data;
  return (
    <>
      <LoadNotice loaded={props.loaded} errorLabel={`Loading the ${props.what}`} loadingText={`Loading ${props.what}…`} />
      {items !== null && items.length === 0 ? <p className="empty">{props.emptyText}</p> : null}
      {items !== null && items.length > 0 ? props.children(items) : null}
    </>
  );
}
