// What the canvas's nodes say: the step catalog (titles, icons, colours, ports) and, for this document, each
// node's one-line summary from the server (POST /steps/summaries: each kind's own `summarize`). The summaries are
// asked again shortly after the trigger or a step changes (not when a node is only moved), keeping the last answer
// meanwhile so a node's line never blinks.
import { useEffect, useMemo, useState } from "react";
import { catalog as catalogApi, knownCatalog, type NodeSummaries, type StepCatalog, type WorkflowDocument } from "../client";
import { knowledgeOf, type Knowledge } from "./graph";

const SUMMARY_DELAY_MS = 250;

/** The catalog: the one given (the editor loads it with the workflow), else the one already loaded, else fetched. */
export function useStepCatalog(given?: StepCatalog | null): StepCatalog | null {
  const [loaded, setLoaded] = useState<StepCatalog | null>(() => given ?? knownCatalog());
  useEffect(() => {
    if (given || loaded) return;
    const controller = new AbortController();
    catalogApi.steps(controller.signal).then(setLoaded, () => undefined); // no catalog: types read as words
    return () => controller.abort();
  }, [given, loaded]);
  return given ?? loaded;
}

export function useNodeSummaries(document: WorkflowDocument): NodeSummaries | null {
  const [summaries, setSummaries] = useState<NodeSummaries | null>(null);
  // Only what a summary depends on: moving a node (layout) or renaming the workflow asks nothing.
  const key = useMemo(() => JSON.stringify({ trigger: document.trigger ?? null, steps: document.steps ?? [] }), [document.trigger, document.steps]);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      catalogApi.summaries(JSON.parse(key), controller.signal).then(setSummaries, () => undefined); // keep the last answer
    }, SUMMARY_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return summaries;
}

/** Both, as `documentToFlow` takes them. */
export function useKnowledge(document: WorkflowDocument, given?: StepCatalog | null): Knowledge {
  const catalog = useStepCatalog(given);
  const summaries = useNodeSummaries(document);
  return useMemo(() => knowledgeOf(catalog, summaries), [catalog, summaries]);
}
