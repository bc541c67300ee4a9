// "Input from": which step (or Distribute group) feeds this one, chosen from a list. The keyboard's way to connect
// two steps already on the canvas (the mouse draws a line); it edits the draft through the same functions.
import { useMemo, useState } from "react";
import { Select } from "@mantine/core";
import { currentInput, inputChoices, setInput } from "../canvas/inputs";
import { isRefusal, type Refusal } from "../canvas/edit";
import { useEditor } from "../editor/context";
import { stepTitle } from "../steps";

export function InputFrom({ stepId }: { stepId: string }) {
  const { draft, catalog, readOnly } = useEditor();
  const [refused, setRefused] = useState<string | null>(null);
  const kinds = useMemo(() => new Map(catalog.steps.map((kind) => [kind.type, kind])), [catalog]);
  const document = draft.document;
  const choices = useMemo(
    () => inputChoices(document, stepId, kinds, (type) => stepTitle(type, catalog)),
    [document, stepId, kinds, catalog],
  );
  const value = currentInput(document, stepId);
  const inputs = document.steps?.find((step) => step.id === stepId)?.after?.length ?? 0;

  const choose = (source: string | null) => {
    if (!source || source === value) return;
    let refusal: Refusal | null = null;
    draft.update((current) => {
      const next = setInput(current, stepId, source);
      if (!isRefusal(next)) return next;
      refusal = next;
      return current;
    });
    setRefused(refusal ? (refusal as Refusal).refused : null);
  };

  return (
    <Select
      label="Input from"
      description={
        inputs > 1
          ? `Takes input from ${inputs} steps; choosing one here makes it the only input.`
          : "The step this one takes its conversations from: the line into it on the canvas."
      }
      data={choices}
      value={value}
      onChange={choose}
      allowDeselect={false}
      disabled={readOnly}
      error={refused}
      placeholder={inputs > 1 ? "Several steps" : "Not connected"}
    />
  );
}
