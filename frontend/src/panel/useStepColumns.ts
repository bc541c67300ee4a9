// The columns a step's pickers offer: exactly what its input will carry in the draft as it stands (Distribute's
// `group`, the chosen pipeline's criteria …), asked of the server — the rules Final checks use — a moment after the
// draft changes. Until it answers (or for a step it cannot follow yet), `fallback`.
import { useEffect, useState } from "react";
import { catalog, type Column } from "../client/catalog";

const SETTLE_MS = 250;

export function useStepColumns(document: unknown, stepId: string, fallback: Column[]): Column[] {
  const [found, setFound] = useState<Record<string, Column[]> | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      catalog
        .stepColumns(document, controller.signal)
        .then((answer) => setFound(answer.columns))
        .catch(() => {
          if (!controller.signal.aborted) setFound(null);
        });
    }, SETTLE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [document]);
  return found?.[stepId] ?? fallback;
}
