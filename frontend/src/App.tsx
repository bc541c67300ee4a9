import { lazy, Suspense } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { AppShell, Button, Center, Group, Loader, NavLink, Text } from "@mantine/core";
import { useAuth } from "./auth";
import { SignInPage } from "./pages/SignIn";
import { WorkflowsListPage } from "./pages/WorkflowsList";

// The workflow page (canvas, forms, charts) is most of the code: loaded when first opened, so the list and
// sign-in come up fast.
const IntegrationsPage = lazy(() =>
  import("./integrations/IntegrationsPage").then((module) => ({ default: module.IntegrationsPage })),
);
const AuditPage = lazy(() => import("./audit/AuditPage").then((module) => ({ default: module.AuditPage })));
const OutboxPage = lazy(() => import("./outbox/OutboxPage").then((module) => ({ default: module.OutboxPage })));
const PipelinesPage = lazy(() => import("./pipelines/PipelinesPage").then((module) => ({ default: module.PipelinesPage })));
const WorkflowPage = lazy(() => import("./pages/WorkflowPage").then((module) => ({ default: module.WorkflowPage })));

function Loading() {
  return (
    <Center h="60vh">
      <Loader />
    </Center>
  );
}

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
        <NavLink component={Link} to="/pipelines" label="Pipelines" />
        <NavLink component={Link} to="/integrations" label="Integrations" />
        <NavLink component={Link} to="/outbox" label="Outbox" />
        <NavLink component={Link} to="/audit" label="Audit log" />
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to="/workflows" replace />} />
          <Route path="/workflows" element={<WorkflowsListPage />} />
          {/* One route for all of a workflow's tabs, so moving between them keeps the draft and its undo. */}
          <Route path="/workflows/:id/*" element={<WorkflowPage />} />
          <Route path="/pipelines" element={<PipelinesPage />} />
          <Route path="/outbox" element={<OutboxPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="/integrations" element={<IntegrationsPage />} />
          <Route path="/pipelines/:name" element={<PipelinesPage />} />
          <Route path="*" element={<Navigate to="/workflows" replace />} />
        </Routes>
        </Suspense>
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
