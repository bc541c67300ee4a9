// What the canvas's nodes may ask of the editor. Absent (null) on a read-only canvas — the viewer's, or a run's —
// so nodes there draw no edit controls.
import { createContext, useContext } from "react";

export interface CanvasActions {
  /** "Add new step" after `ref` (a step id, "split.A", or the trigger's id). */
  addAfter(ref: string): void;
}

export const CanvasActionsContext = createContext<CanvasActions | null>(null);

export function useCanvasActions(): CanvasActions | null {
  return useContext(CanvasActionsContext);
}
