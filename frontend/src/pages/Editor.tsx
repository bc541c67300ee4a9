import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import {
  Background,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Alert, Anchor, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { ApiError, workflows, type Workflow, type WorkflowDocument } from "../client";
import { documentToFlow, type FlowNode } from "../canvas/graph";
import { nodeTypes } from "../canvas/nodes";
import { StatusBadge } from "./WorkflowsList";

function Toolbar({ minimap, onToggleMinimap }: { minimap: boolean; onToggleMinimap: () => void }) {
  const flow = useReactFlow();
  return (
    <Panel position="top-right">
      <Group gap={4} role="toolbar" aria-label="Canvas toolbar">
        <Button size="xs" variant="default" onClick={() => void flow.zoomIn({ duration: 150 })}>
          Zoom In
        </Button>
        <Button size="xs" variant="default" onClick={() => void flow.zoomOut({ duration: 150 })}>
          Zoom Out
        </Button>
        <Button size="xs" variant="default" onClick={() => void flow.fitView({ duration: 150, padding: 0.2 })}>
          Fit to view
        </Button>
        <Button size="xs" variant="default" onClick={onToggleMinimap}>
          {minimap ? "Hide minimap" : "Show minimap"}
        </Button>
      </Group>
    </Panel>
  );
}

function Canvas({ document }: { document: WorkflowDocument }) {
  const initial = useMemo(() => documentToFlow(document), [document]);
  const [nodes, setNodes] = useState<FlowNode[]>(initial.nodes);
  const [edges, setEdges] = useState<Edge[]>(initial.edges);
  const [minimap, setMinimap] = useState(true);

  useEffect(() => {
    setNodes(initial.nodes);
    setEdges(initial.edges);
  }, [initial]);

  return (
    <ReactFlow<FlowNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={(changes: NodeChange<FlowNode>[]) => setNodes((current) => applyNodeChanges(changes, current))}
      onEdgesChange={(changes: EdgeChange<Edge>[]) => setEdges((current) => applyEdgeChanges(changes, current))}
      nodesConnectable={false}
      deleteKeyCode={null}
      fitView
      fitViewOptions={{ padding: 0.2 }}
      minZoom={0.1}
      proOptions={{ hideAttribution: true }}
    >
      <Background />
      {minimap && <MiniMap pannable zoomable ariaLabel="Minimap" />}
      <Toolbar minimap={minimap} onToggleMinimap={() => setMinimap((shown) => !shown)} />
    </ReactFlow>
  );
}

export function EditorPage() {
  const { id = "" } = useParams();
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [document, setDocument] = useState<WorkflowDocument | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setWorkflow(null);
    setDocument(null);
    setError(null);
    Promise.all([workflows.get(id, controller.signal), workflows.draft(id, controller.signal)])
      .then(([meta, draft]) => {
        setWorkflow(meta);
        setDocument(draft);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught instanceof Error ? caught : new Error(String(caught)));
      });
    return () => controller.abort();
  }, [id]);

  if (error) {
    const notFound = error instanceof ApiError && error.isNotFound;
    return (
      <Stack p="lg">
        <Alert color="red" title={notFound ? "Workflow not found" : "The workflow could not be loaded"}>
          {error instanceof ApiError ? error.detail ?? error.title : error.message}
        </Alert>
        <Anchor component={Link} to="/workflows">
          Back to Workflows
        </Anchor>
      </Stack>
    );
  }
  if (!workflow || !document) {
    return (
      <Center h="60vh">
        <Loader />
      </Center>
    );
  }

  return (
    <Stack gap={0} h="calc(100vh - var(--app-shell-header-height, 0px))">
      <Group justify="space-between" px="lg" py="sm" style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}>
        <Group gap="sm">
          <Anchor component={Link} to="/workflows" size="sm">
            Workflows
          </Anchor>
          <Text c="dimmed">/</Text>
          <Title order={3}>{workflow.name}</Title>
          <StatusBadge workflow={workflow} />
        </Group>
        {workflow.notice && (
          <Text size="sm" c="orange">
            {workflow.notice}
          </Text>
        )}
      </Group>
      <div style={{ flex: 1, minHeight: 0 }}>
        <ReactFlowProvider>
          <Canvas document={document} />
        </ReactFlowProvider>
      </div>
    </Stack>
  );
}
