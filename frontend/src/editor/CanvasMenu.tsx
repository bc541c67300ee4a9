// The canvas's right-click menu: "Delete step" on a step ("Delete 3 steps" inside a box selection of three),
// "Delete connection" on a line.
import { Menu } from "@mantine/core";
import type { deletionLabel } from "./useDeletion";

export interface MenuAt {
  x: number;
  y: number;
  label: ReturnType<typeof deletionLabel>;
  onSelect: () => void;
}

export function CanvasMenu({ menu, onClose }: { menu: MenuAt | null; onClose: () => void }) {
  return (
    <Menu opened={menu !== null} onChange={(opened) => !opened && onClose()} position="bottom-start" withinPortal shadow="md">
      <Menu.Target>
        {/* An invisible anchor where the pointer was. Menu.Target gives it aria-expanded and aria-haspopup, allowed
            only on a control: it has a button's role, hidden from assistive technology and out of the tab order, as
            it is no control of its own (the keyboard deletes with Delete; axe: aria-allowed-attr). */}
        <div
          role="button"
          aria-hidden="true"
          tabIndex={-1}
          style={{ position: "fixed", left: menu?.x ?? 0, top: menu?.y ?? 0, width: 1, height: 1, pointerEvents: "none" }} />
      </Menu.Target>
      <Menu.Dropdown>
        {menu && (
          <Menu.Item
            color="red"
            onClick={() => {
              onClose();
              menu.onSelect();
            }}
          >
            {menu.label}
          </Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
