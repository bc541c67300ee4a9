// One workflow: header (name, status, notice, lifecycle controls) and the Editor / Runs / Settings tabs.
// Loads the workflow, its draft, Final checks and the step catalog, and provides the EditorContext.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, Anchor, Center, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import {
  ApiError,
  catalog as catalogApi,
  workflows,
  type Issue,
  type StepCatalog,
  type Workflow,
  type WorkflowDocument,
} from "../client";
import { useAuth } from "../auth";
import { EditorContext, type EditorContextValue, type PanelMode } from "../editor/context";
import { useDraft } from "../editor/useDraft";
import { EditorTab } from "../editor/EditorTab";
import { LifecycleBar } from "../lifecycle/LifecycleBar";
import { SettingsTab } from "../settings/SettingsTab";
import { tabOf, type WorkflowTab } from "./workflowTabs";
import { StatusBadge } from "./WorkflowsList";

// The Runs tab brings the charts: loaded when first opened.
const RunsTab = lazy(() => import("../runs/RunsTab").then((module) => ({ default: module.RunsTab })));
const RunPage = lazy(() => import("../runs/RunPage").then((module) => ({ default: module.RunPage })));

const WORKFLOW_REFRESH_MS = 15_000;

interface Loaded {
  workflow: Workflow;
  document: WorkflowDocument;
  issues: Issue[];
  catalog: StepCatalog;
}

function Loaded({ loaded, tab, runId }: { loaded: Loaded; tab: WorkflowTab; runId?: string }) {
  const { canEdit } = useAuth();
  const navigate = useNavigate();
  const [workflow, setWorkflow] = useState(loaded.workflow);
  const [panel, setPanel] = useState<PanelMode>({ kind: "none" });
  const [selectedNode, setSelectedNode] = useState<string | null>(null);
  const readOnly = !canEdit;
  const draft = useDraft(workflow.id, loaded.document, loaded.issues, readOnly);

  const reloadWorkflow = useCallback(async () => setWorkflow(await workflows.get(workflow.id)), [workflow.id]);
  // The status can change without this page: a credits limit pauses the workflow, someone else publishes.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") reloadWorkflow().catch(() => undefined);
    }, WORKFLOW_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadWorkflow]);

  const selectNode = useCallback((id: string | null) => {
    setSelectedNode(id);
    setPanel(id === null ? { kind: "none" } : id === "trigger" ? { kind: "trigger" } : { kind: "step", stepId: id });
  }, []);

  const value = useMemo<EditorContextValue>(
    () => ({
      workflow,
      reloadWorkflow,
      catalog: loaded.catalog,
      draft,
      readOnly,
      panel,
      setPanel,
      selectedNode,
      selectNode,
    }),
    [workflow, reloadWorkflow, loaded.catalog, draft, readOnly, panel, selectedNode, selectNode],
  );

  const base = `/workflows/${encodeURIComponent(workflow.id)}`;
  return (
    <EditorContext.Provider value={value}>
      <Stack gap={0} h="calc(100vh - var(--app-shell-header-height, 0px))">
        <Group justify="space-between" px="lg" py="xs" style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}>
          <Group gap="sm">
            <Anchor component={Link} to="/workflows" size="sm">
              Workflows
            </Anchor>
            <Text c="dimmed">/</Text>
            <Title order={1} size="h3">
              {workflow.name}
            </Title>
            <StatusBadge workflow={workflow} />
          </Group>
          <LifecycleBar />
        </Group>
        {workflow.notice && (
          <Alert color="orange" radius={0} py={6} title="Unpublished Changes">
            {workflow.notice}
          </Alert>
        )}
        <Tabs
          value={tab}
          onChange={(next) => navigate(next === "editor" ? base : `${base}/${next}`)}
          keepMounted={false}
          style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}
        >
          <Tabs.List px="lg">
            <Tabs.Tab value="editor">Editor</Tabs.Tab>
            <Tabs.Tab value="runs">Runs</Tabs.Tab>
            <Tabs.Tab value="settings">Settings</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="editor" style={{ flex: 1, minHeight: 0 }}>
            <EditorTab />
          </Tabs.Panel>
          <Tabs.Panel value="runs" style={{ flex: 1, minHeight: 0, overflow: "auto" }}>
            <Suspense fallback={<Loader m="lg" />}>
              {runId ? <RunPage workflowId={workflow.id} runId={runId} /> : <RunsTab workflowId={workflow.id} />}
            </Suspense>
          </Tabs.Panel>
          <Tabs.Panel value="settings" style={{ flex: 1, minHeight: 0, overflow: "auto" }}>
            <SettingsTab workflowId={workflow.id} />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </EditorContext.Provider>
  );
}

export function WorkflowPage() {
  const { id = "", "*": rest = "" } = useParams();
  const { tab, runId } = tabOf(rest);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    setLoaded(null);
    setError(null);
    Promise.all([workflows.get(id, signal), workflows.draft(id, signal), workflows.issues(id, signal), catalogApi.steps(signal)])
      .then(([workflow, document, report, catalog]) => setLoaded({ workflow, document, issues: report.issues, catalog }))
      .catch((caught: unknown) => {
        if (!signal.aborted) setError(caught instanceof Error ? caught : new Error(String(caught)));
      });
    return () => controller.abort();
  }, [id]);

  if (error) {
    const notFound = error instanceof ApiError && error.isNotFound;
    return (
      <Stack p="lg">
        <Alert color="red" title={notFound ? "Workflow not found" : "The workflow could not be loaded"}>
          {error instanceof ApiError ? (error.detail ?? error.title) : error.message}
        </Alert>
        <Anchor component={Link} to="/workflows">
          Back to Workflows
        </Anchor>
      </Stack>
    );
  }
  if (!loaded) {
    return (
      <Center h="60vh">
        <Loader />
      </Center>
    );
  }
  // Keyed by workflow so a navigation to another workflow starts with fresh state.
  return <Loaded key={loaded.workflow.id} loaded={loaded} tab={tab} runId={runId} />;
}
