import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { AppShell, Button, Center, Group, Loader, NavLink, Text } from "@mantine/core";
import { useAuth } from "./auth";
import { SignInPage } from "./pages/SignIn";
import { WorkflowsListPage } from "./pages/WorkflowsList";
import { EditorPage } from "./pages/Editor";

function Shell() {
  const { user, signOut } = useAuth();
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: "sm" }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>RedFlare Workflows</Text>
          <Group gap="sm">
            <Text size="sm" c="dimmed">
              {user?.email} · {user?.role}
            </Text>
            <Button size="xs" variant="default" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <NavLink component={Link} to="/workflows" label="Workflows" />
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route path="/" element={<Navigate to="/workflows" replace />} />
          <Route path="/workflows" element={<WorkflowsListPage />} />
          <Route path="/workflows/:id" element={<EditorPage />} />
          <Route path="*" element={<Navigate to="/workflows" replace />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}

function Gate() {
  const { user } = useAuth();
  if (user === undefined) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  // Signed out: the sign-in page at whatever URL was asked for, so a deep link opens once signed in.
  return user === null ? <SignInPage /> : <Shell />;
}

export function App() {
  return (
    <BrowserRouter>
      <Gate />
    </BrowserRouter>
  );
}
