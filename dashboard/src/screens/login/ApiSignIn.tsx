import { useId, useState } from "react";
import type { Session } from "../../api/session";
import { apiClient } from "../../api/clients";
import { TextField } from "../../components/Field";
import { WriteStatus } from "../../components/WriteStatus";
import { useWrite } from "../../state/write";
import { ModeHeading } from "../Login";

export function ApiSignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const headingId = useId();
  const [apiKey, setApiKey] = useState("");
  const write = useWrite();

  const submit = async () => {
    const key = apiKey.trim();
    const ok = await write.run(
      "Signing in",
      async () => {
        if (key === "") throw new Error("Paste your account API key first.");
        if (!(await apiClient(key).accountExists())) throw new Error("No account uses this API key.");
        return true;
      },
      "Signed in",
    );
    if (ok) onSignedIn({ mode: "api", apiKey: key });
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <ModeHeading id={headingId} mode="api" />
      <p>The relayer submits your changes and pays their gas. Sign in with the account key you were given.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="Account API key"
          type="password"
          value={apiKey}
          onChange={setApiKey}
          required
          autoComplete="off"
          hint="Shown once when the account was created. It is kept in this browser tab only."
        />
        <button type="submit" className="primary" disabled={write.busy}>
          Sign in
        </button>
      </form>
      <WriteStatus state={write.state} />
    </section>
  );
}
