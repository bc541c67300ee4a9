// Whether the draft's last edit is saved: "Saving…", "Saved", or why it was not (with the server's issues).
import { Badge, List, Popover, Text } from "@mantine/core";
import { ApiError } from "../client";
import type { Draft } from "./context";

export function SaveStatus({ draft, readOnly }: { draft: Draft; readOnly: boolean }) {
  if (readOnly) {
    return (
      <Badge variant="light" color="gray">
        View only
      </Badge>
    );
  }
  if (draft.saving) {
    return (
      <Badge variant="light" color="blue" role="status">
        Saving…
      </Badge>
    );
  }
  const error = draft.saveError;
  if (!error) {
    return (
      <Badge variant="light" color="green" role="status">
        Saved
      </Badge>
    );
  }
  const issues = error instanceof ApiError ? error.errors : [];
  const reason = error instanceof ApiError ? (error.detail ?? error.title) : error.message;
  return (
    <Popover width={360} position="top-start" withArrow shadow="md">
      <Popover.Target>
        <Badge variant="filled" color="red" role="status" style={{ cursor: "pointer" }} title="Show why">
          Not saved
        </Badge>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm" fw={500}>
          The draft could not be saved: {reason}
        </Text>
        {issues.length > 0 && (
          <List size="xs" mt="xs">
            {issues.map((issue, index) => (
              <List.Item key={index}>
                {issue.node ? `${issue.node}: ` : ""}
                {issue.message}
              </List.Item>
            ))}
          </List>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
