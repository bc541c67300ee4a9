// The side panel for the trigger, a step, or "Add new step" (EditorTab shows it in its right-hand aside).
import { useEditor } from "../editor/context";
import { StepPanel } from "./StepPanel";
import { StepPicker } from "./StepPicker";
import { TriggerPanel } from "./TriggerPanel";

export function NodePanel() {
  const { panel } = useEditor();
  switch (panel.kind) {
    case "trigger":
      return <TriggerPanel />;
    case "step":
      // Keyed by step so a form's local state (a condition being built) never leaks to another step.
      return <StepPanel key={panel.stepId} stepId={panel.stepId} />;
    case "add":
      return <StepPicker after={panel.after} />;
    default:
      return null;
  }
}
