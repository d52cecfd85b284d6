import { useId, useState } from "react";
import { apiClient } from "../../api/clients";
import { CopyButton } from "../../components/CopyButton";
import { Checkbox, TextField } from "../../components/Field";
import { useWrite } from "../../state/write";
import { type ApiCardProps, ModeCard } from "./ModeCard";

export function ApiCreate({ onSignedIn }: ApiCardProps) {
  const headingId = useId();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState<{ apiKey: string; wallet: string } | null>(null);
  const [stored, setStored] = useState(false);
  const write = useWrite();

  const submit = async () => {
    const res = await write.run(
      "Creating the account",
      async () => {
        if (name.trim() === "") throw new Error("Give the account a name.");
        return apiClient().newAccount({
          accountName: name.trim(),
          accountDescription: description.trim(),
          ...(email.trim() === "" ? {} : { email: email.trim() }),
        });
      },
      "Account created",
    );
    if (res) setCreated({ apiKey: res.api_key, wallet: res.wallet_address });
  };

  if (created !== null) {
    return (
      <section className="card" aria-labelledby={headingId}>
        <h2 id={headingId}>Your account API key</h2>
        <p className="notice notice-warning">
          This key is shown <strong>once</strong>. It is the master credential of the account: store it in a password
          manager or secrets store now. It cannot be shown again.
        </p>
        <p>
          <code className="secret" data-testid="new-account-key">
            {created.apiKey}
          </code>
        </p>
        <CopyButton value={created.apiKey} label="Copy API key" />
        <p>
          Account wallet: <code>{created.wallet}</code>
        </p>
        <Checkbox label="I have stored this key somewhere safe" checked={stored} onChange={setStored} />
        <button
          type="button"
          className="primary"
          disabled={!stored}
          onClick={() => onSignedIn({ mode: "api", apiKey: created.apiKey })}
        >
          Continue to the dashboard
        </button>
      </section>
    );
  }

  return (
    <ModeCard
      mode="api"
      intro="The fastest start: the relayer creates the account and gives you its API key."
      write={write}
      submit={{ label: "Create account", run: submit }}
    >
      <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" />
      <TextField label="Account name" value={name} onChange={setName} required />
      <TextField label="Description" value={description} onChange={setDescription} />
    </ModeCard>
  );
}
