// The editor's React Flow canvas, bound to the draft: nodes and edges come from `draft.document` (derived only
// when it changes), every edit is a pure function of canvas/edit.ts applied with `draft.update` (undoable, saved).
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import {
  Background,
  MiniMap,
  Panel,
  ReactFlow,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type NodeChange,
  type OnConnect,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Notification, useMantineTheme } from "@mantine/core";
import { CanvasActionsContext, type CanvasActions } from "../canvas/actions";
import { connect, defaultAddAfter, isRefusal, moveNodes, type Refusal } from "../canvas/edit";
import { NODE_WIDTH, TRIGGER_ID, documentToFlow, estimatedNodeHeight, type FlowEdge, type FlowNode } from "../canvas/graph";
import { nodeTypes } from "../canvas/nodes";
import { reconcileEdges, reconcileNodes } from "../canvas/reconcile";
import { useKnowledge } from "../canvas/useKnowledge";
import { reveal } from "../canvas/view";
import { CanvasMenu, type MenuAt } from "./CanvasMenu";
import { CanvasToolbar, type PointerMode } from "./CanvasToolbar";
import { fitReadably } from "../canvas/fit";
import { useEditor } from "./context";
import { SaveStatus } from "./SaveStatus";
import { useCanvasKeys } from "./useCanvasKeys";
import { deletionLabel, stepsDeletion, useDeletion, type Deletion } from "./useDeletion";

const NOTICE_MS = 6000;

export function Canvas() {
  const { draft, readOnly, selectedNode, selectNode, setPanel, catalog } = useEditor();
  const document = draft.document;
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const container = useRef<HTMLDivElement>(null);

  const knowledge = useKnowledge(document, catalog);
  const derived = useMemo(() => documentToFlow(document, { issues: draft.issues, knowledge }), [document, draft.issues, knowledge]);
  const [nodes, setNodes] = useState<FlowNode[]>(() => reconcileNodes([], derived.nodes, selectedNode));
  useEffect(() => setNodes((current) => reconcileNodes(current, derived.nodes, selectedNode)), [derived, selectedNode]);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const previousEdges = useRef<FlowEdge[]>([]);
  const edges = useMemo(() => (previousEdges.current = reconcileEdges(previousEdges.current, derived.edges, selectedEdge)), [derived, selectedEdge]);

  // The minimap colours each node by its kind (the catalog's colour), as the nodes' icons are.
  const theme = useMantineTheme();
  const minimapColor = useCallback((node: FlowNode) => theme.colors[node.data.color ?? "gray"]?.[4] ?? theme.colors.gray[4], [theme]);

  const [mode, setMode] = useState<PointerMode>("drag");
  const [minimap, setMinimap] = useState(true);
  const [organizing, setOrganizing] = useState(false);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  // A short notice of why the canvas did not do something (a refused line, a failed layout).
  const [notice, setNotice] = useState<{ title: string; message: string } | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  // The first look: the workflow fitted readably (React Flow's own fit could shrink text to a few pixels).
  const initialized = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!initialized || fitted.current) return;
    fitted.current = true;
    void fitReadably(flow, container.current, 0);
  }, [initialized, flow]);
  const onFit = useCallback(() => void fitReadably(flow, container.current), [flow]);

  // A selected node the view does not show whole (a step just added beside the side panel, an issue clicked in
  // Final checks) is panned into view at the current zoom, with a margin; looked at again once the node is
  // measured (a new node's first frame has no size yet) and whenever the canvas's width changes (the panel opens).
  const selectedSize = nodes.find((node) => node.id === selectedNode)?.measured;
  const [canvasWidth, setCanvasWidth] = useState(0);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setCanvasWidth(Math.round(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (!selectedNode) return;
    const frame = requestAnimationFrame(() => {
      const node = flow.getInternalNode(selectedNode);
      const box = container.current?.getBoundingClientRect();
      if (!node || !box) return;
      const rect = {
        ...node.internals.positionAbsolute,
        width: node.measured.width ?? NODE_WIDTH,
        height: node.measured.height ?? estimatedNodeHeight(node.internals.userNode),
      };
      const panned = reveal(rect, flow.getViewport(), { width: box.width, height: box.height });
      if (panned) void flow.setViewport(panned, { duration: 200 });
    });
    return () => cancelAnimationFrame(frame);
  }, [selectedNode, selectedSize?.width, selectedSize?.height, canvasWidth, flow]);

  // Dialogs name steps as their nodes do: title and summary ("Filter — score < 70"), not the step id.
  const nameOf = useCallback(
    (id: string) => {
      const node = derived.nodes.find((each) => each.id === id);
      if (!node || node.type !== "step") return id;
      return node.data.summary && node.data.complete !== false ? `${node.data.title} — ${node.data.summary}` : node.data.title;
    },
    [derived],
  );
  const deletion = useDeletion(nameOf);
  const requestDelete = deletion.request;

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    // Positions while dragging, sizes, selection boxes: local until the drag stops.
    const kept = changes.filter((change) => change.type !== "remove" && change.type !== "add" && change.type !== "replace");
    if (kept.length) setNodes((current) => applyNodeChanges(kept, current));
  }, []);

  // A drag is one undoable edit of `document.layout`, stored when it stops.
  const storePositions = useCallback(
    (moved: FlowNode[]) => draft.update((current) => moveNodes(current, Object.fromEntries(moved.map((node) => [node.id, node.position])))),
    [draft],
  );
  const onNodeDragStop = useCallback((_event: unknown, _node: FlowNode, moved: FlowNode[]) => storePositions(moved), [storePositions]);
  const onSelectionDragStop = useCallback((_event: unknown, moved: FlowNode[]) => storePositions(moved), [storePositions]);

  const takesInput = useMemo(() => new Map(catalog.steps.map((kind) => [kind.type, kind.takes_input])), [catalog]);
  const onConnect: OnConnect = useCallback(
    (connection: Connection) => {
      const target = document.steps?.find((step) => step.id === connection.target);
      if (target && takesInput.get(target.type) === false && connection.source !== TRIGGER_ID) {
        const title = catalog.steps.find((kind) => kind.type === target.type)?.title ?? target.type;
        setNotice({ title: "Not connected", message: `${title} starts a branch: it takes no input from another step.` });
        return;
      }
      let refusal: Refusal | null = null;
      draft.update((current) => {
        const next = connect(current, connection.source, connection.sourceHandle, connection.target);
        if (!isRefusal(next)) return next;
        refusal = next;
        return current;
      });
      if (refusal) setNotice({ title: "Not connected", message: (refusal as Refusal).refused });
    },
    [draft, document, takesInput, catalog],
  );

  const onNodeClick = useCallback(
    (_event: unknown, node: FlowNode) => {
      setSelectedEdge(null);
      selectNode(node.id);
    },
    [selectNode],
  );
  const onEdgeClick = useCallback(
    (_event: unknown, edge: FlowEdge) => {
      selectNode(null);
      setSelectedEdge(edge.id);
    },
    [selectNode],
  );
  const onPaneClick = useCallback(() => {
    setSelectedEdge(null);
    selectNode(null);
  }, [selectNode]);

  const deleteEdge = useCallback(
    (edge: FlowEdge) => {
      if (edge.data?.ref) void requestDelete({ kind: "connection", ref: edge.data.ref, target: edge.target });
      else setNotice({ title: "Not deleted", message: "A step with no other input takes the trigger's output; connect another step into it instead." });
    },
    [requestDelete],
  );

  // The steps a box selection (Select mode, or Shift-drag) holds, in the document's order; the trigger is never one.
  const boxSelected = useMemo(() => nodes.filter((node) => node.selected && node.id !== TRIGGER_ID).map((node) => node.id), [nodes]);

  const deleteFromMenu = useCallback(
    (event: MouseEvent, deletion: Deletion) =>
      setMenu({ x: event.clientX, y: event.clientY, label: deletionLabel(deletion), onSelect: () => void requestDelete(deletion) }),
    [requestDelete],
  );
  const onNodeContextMenu = useCallback(
    (event: MouseEvent, node: FlowNode) => {
      event.preventDefault();
      if (readOnly || node.id === TRIGGER_ID) return;
      // Right-click inside a selection of several acts on all of them (selecting the one would drop the rest).
      if (boxSelected.length > 1 && boxSelected.includes(node.id)) return deleteFromMenu(event, stepsDeletion(boxSelected));
      selectNode(node.id);
      deleteFromMenu(event, stepsDeletion([node.id]));
    },
    [readOnly, deleteFromMenu, selectNode, boxSelected],
  );
  // After a box selection React Flow lays a rectangle over the selected steps: right-clicks land on it, not on them.
  const onSelectionContextMenu = useCallback(
    (event: MouseEvent) => {
      event.preventDefault();
      if (!readOnly && boxSelected.length > 0) deleteFromMenu(event, stepsDeletion(boxSelected));
    },
    [readOnly, deleteFromMenu, boxSelected],
  );
  const onEdgeContextMenu = useCallback(
    (event: MouseEvent, edge: FlowEdge) => {
      event.preventDefault();
      if (readOnly) return;
      setSelectedEdge(edge.id);
      setMenu({ x: event.clientX, y: event.clientY, label: "Delete connection", onSelect: () => deleteEdge(edge) });
    },
    [readOnly, deleteEdge],
  );

  useCanvasKeys({
    container,
    enabled: !readOnly && !deletion.open,
    onUndo: draft.undo,
    onDelete: () => {
      const edge = selectedEdge ? edges.find((each) => each.id === selectedEdge) : undefined;
      if (edge) return deleteEdge(edge);
      // A box of several steps, else the step picked, else a box of one.
      const single = selectedNode && selectedNode !== TRIGGER_ID ? [selectedNode] : boxSelected;
      const steps = boxSelected.length > 1 ? boxSelected : single;
      if (steps.length > 0) void requestDelete(stepsDeletion(steps));
    },
  });

  const actions = useMemo<CanvasActions | null>(
    () => (readOnly ? null : { addAfter: (ref: string) => setPanel({ kind: "add", after: ref }) }),
    [readOnly, setPanel],
  );

  const onAddStep = useCallback(
    () => setPanel({ kind: "add", after: defaultAddAfter(document, selectedNode, knowledge.kinds) }),
    [document, selectedNode, setPanel, knowledge],
  );

  const onOrganize = useCallback(async () => {
    setOrganizing(true);
    try {
      // elkjs is large: loaded on first use.
      const { organize } = await import("../canvas/layout");
      const sizes = new Map(
        flow.getNodes().flatMap((node) => (node.measured?.width && node.measured.height ? [[node.id, { width: node.measured.width, height: node.measured.height }] as const] : [])),
      );
      const positions = await organize(document, sizes, knowledge);
      draft.update((current) => moveNodes(current, positions));
      requestAnimationFrame(() => void fitReadably(flow, container.current, 200));
    } catch (caught) {
      setNotice({ title: "Not organized", message: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setOrganizing(false);
    }
  }, [document, draft, flow, knowledge]);

  return (
    <CanvasActionsContext.Provider value={actions}>
      <div ref={container} style={{ width: "100%", height: "100%" }}>
        <ReactFlow<FlowNode, FlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onNodeDragStop={readOnly ? undefined : onNodeDragStop}
          onSelectionDragStop={readOnly ? undefined : onSelectionDragStop}
          onConnect={readOnly ? undefined : onConnect}
          onNodeClick={onNodeClick}
          onEdgeClick={onEdgeClick}
          onPaneClick={onPaneClick}
          onNodeContextMenu={onNodeContextMenu}
          onSelectionContextMenu={onSelectionContextMenu}
          onEdgeContextMenu={onEdgeContextMenu}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={false}
          deleteKeyCode={null}
          panOnDrag={mode === "drag"}
          selectionOnDrag={mode === "select"}
          panOnScroll={mode === "select"}
          onlyRenderVisibleElements={nodes.length > 150}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          {minimap && <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} nodeStrokeWidth={2} />}
          <CanvasToolbar
            readOnly={readOnly}
            mode={mode}
            onMode={setMode}
            minimap={minimap}
            onToggleMinimap={() => setMinimap((shown) => !shown)}
            onAddStep={onAddStep}
            onOrganize={() => void onOrganize()}
            onFit={onFit}
            organizing={organizing}
          />
          <Panel position="bottom-left">
            <SaveStatus draft={draft} readOnly={readOnly} />
          </Panel>
          {notice && (
            <Panel position="bottom-center">
              <Notification color="orange" title={notice.title} onClose={() => setNotice(null)} withBorder maw={420}>
                {notice.message}
              </Notification>
            </Panel>
          )}
        </ReactFlow>
      </div>
      <CanvasMenu menu={menu} onClose={() => setMenu(null)} />
      {deletion.dialog}
    </CanvasActionsContext.Provider>
  );
}
