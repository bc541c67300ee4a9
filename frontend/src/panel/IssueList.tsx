// A node's Final-checks issues at the top of its panel.
import { Alert, List } from "@mantine/core";
import type { Issue } from "../client";
import { issueText } from "../forms/issues";

/** `placeOf` names where an issue is (a field's title), shown before a message that does not name it already. */
export function IssueList({ issues, placeOf }: { issues: Issue[]; placeOf?: (issue: Issue) => string | null }) {
  if (!issues.length) return null;
  return (
    <Alert color="red" variant="light" title={issues.length === 1 ? "1 issue" : `${issues.length} issues`} role="alert">
      <List size="sm" spacing={2}>
        {issues.map((issue, index) => (
          <List.Item key={`${issue.path}-${index}`}>{withPlace(issue, placeOf?.(issue) ?? null)}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

function withPlace(issue: Issue, place: string | null): string {
  return issueText(issue.message, place);
}
