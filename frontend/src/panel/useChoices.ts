// The integrations and pipelines the panel's selects offer, fetched once per page load and shared.
import { useEffect, useState } from "react";
import { panelApi, type Integration, type Pipeline } from "../client/panel";

export interface Choices {
  integrations: Integration[];
  pipelines: Pipeline[];
  /** The last load failed (the selects still take a typed value). */
  error: Error | null;
}

let cached: Promise<Choices> | null = null;

function load(): Promise<Choices> {
  cached ??= Promise.all([panelApi.integrations(), panelApi.pipelines()])
    .then(([integrations, pipelines]) => ({ integrations: integrations.data, pipelines: pipelines.data, error: null }))
    .catch((caught: unknown) => {
      cached = null; // try again next time
      return { integrations: [], pipelines: [], error: caught instanceof Error ? caught : new Error(String(caught)) };
    });
  return cached;
}

export function useChoices(): Choices {
  const [choices, setChoices] = useState<Choices>({ integrations: [], pipelines: [], error: null });
  useEffect(() => {
    let live = true;
    void load().then((loaded) => live && setChoices(loaded));
    return () => {
      live = false;
    };
  }, []);
  return choices;
}
