// The canvas's keys: Delete / Backspace deletes the selected step or line (with the same confirmation),
// Ctrl/Cmd+Z undoes the last edit. Never while typing in a field, whose own keys win.
import { useEffect, useRef, type RefObject } from "react";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export interface CanvasKeys {
  /** The canvas's element: Delete acts only when the focus is on it (or nowhere). */
  container: RefObject<HTMLElement | null>;
  onDelete(): void;
  onUndo(): void;
  /** Off while a dialog is open, or for a viewer. */
  enabled: boolean;
}

export function useCanvasKeys(keys: CanvasKeys): void {
  const current = useRef(keys);
  current.current = keys;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const { container, onDelete, onUndo, enabled } = current.current;
      if (!enabled || isTyping(event.target)) return;
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z") {
        event.preventDefault();
        onUndo();
        return;
      }
      if (event.key !== "Delete" && event.key !== "Backspace") return;
      const target = event.target as Node | null;
      const onCanvas = target === document.body || (!!container.current && !!target && container.current.contains(target));
      if (!onCanvas) return;
      event.preventDefault();
      onDelete();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
