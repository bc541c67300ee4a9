import { useState, type FormEvent } from "react";
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { ApiError } from "../client";
import { useAuth } from "../auth";

/**
 * Where to go once signed in: the `next` of an emailed export link (the server sends a browser that is not
 * signed in here with it). Only our own download path, so the page cannot be made to send anyone elsewhere.
 */
export function nextDownload(search: string): string | null {
  const next = new URLSearchParams(search).get("next");
  return next && /^\/api\/exports\/[^/?#]+\/download\?/.test(next) ? next : null;
}

export function SignInPage() {
  const { signIn } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      const next = nextDownload(window.location.search);
      if (next) window.location.assign(next);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.detail ?? caught.title : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center h="100vh">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h2">
              Sign in to RedFlare
            </Title>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
