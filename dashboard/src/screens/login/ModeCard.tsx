/** The card of one account mode on the login screen: its heading, an introduction, the controls, the write's status. */
import { type ReactNode, useId } from "react";
import type { NodeChainConfig } from "../../../../src/sdk";
import type { Session } from "../../api/session";
import { Form } from "../../components/Form";
import { WriteStatus } from "../../components/WriteStatus";
import type { Write } from "../../state/write";

/** The props of an API-mode card. */
export interface ApiCardProps {
  onSignedIn(session: Session): void;
}

/** The props of a ChainSecured card. */
export interface ChainSecuredCardProps extends ApiCardProps {
  chain: NodeChainConfig;
}

/**
 * With `submit`, the controls (`children`) are a form that ends in the primary button
 * `submit.label` and runs `submit.run`; the button is disabled while `write` runs.
 */
export function ModeCard(props: {
  mode: "api" | "sovereign";
  intro: ReactNode;
  write: Write;
  submit?: { label: string; run(): unknown };
  children: ReactNode;
}) {
  const headingId = useId();
  const { submit } = props;
  return (
    <section className="card" aria-labelledby={headingId}>
      <ModeHeading id={headingId} mode={props.mode} />
      <p>{props.intro}</p>
      {submit === undefined ? (
        props.children
      ) : (
        <Form onSubmit={submit.run}>
          {props.children}
          <button type="submit" className="primary" disabled={props.write.busy}>
            {submit.label}
          </button>
        </Form>
      )}
      <WriteStatus state={props.write.state} />
    </section>
  );
}

/** The heading of a mode card, with the "Recommended" badge for API mode. */
function ModeHeading({ id, mode }: { id: string; mode: "api" | "sovereign" }) {
  return (
    <h2 id={id}>
      {mode === "api" ? "API mode" : "ChainSecured mode"}
      {mode === "api" ? <span className="badge badge-recommended">Recommended</span> : null}
    </h2>
  );
}
