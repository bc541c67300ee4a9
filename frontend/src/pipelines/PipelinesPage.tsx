// The Pipelines page: the list at /pipelines, one pipeline (edit, versions, try) at /pipelines/:name.
import { useParams } from "react-router";
import { PipelinesList } from "./PipelinesList";
import { PipelineView } from "./PipelineView";

export function PipelinesPage() {
  const { name } = useParams();
  // Keyed by name so moving between pipelines starts each one's state afresh.
  return name ? <PipelineView key={name} name={name} /> : <PipelinesList />;
}
