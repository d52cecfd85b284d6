import { useState } from "react";
import { apiClient } from "../../api/clients";
import { TextField } from "../../components/Field";
import { useWrite } from "../../state/write";
import { type ApiCardProps, ModeCard } from "./ModeCard";

export function ApiSignIn({ onSignedIn }: ApiCardProps) {
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
    <ModeCard
      mode="api"
      intro="The relayer submits your changes and pays their gas. Sign in with the account key you were given."
      write={write}
      submit={{ label: "Sign in", run: submit }}
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
    </ModeCard>
  );
}
