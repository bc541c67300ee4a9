// Final-checks issues of one step, placed on the fields their paths name (`steps[2].config.recipients[0]`).
import type { Issue } from "../client";
import type { FieldSpec } from "./schema";

/** The part of an issue's path inside the step's config ("recipients[0]"), "" for the config itself, or null. */
export function configPath(issuePath: string): string | null {
  const match = /^steps\[\d+\]\.config(?:\.(.*))?$/.exec(issuePath);
  if (!match) return null;
  return match[1] ?? "";
}

/** The path of a field inside the config: `key` under `parent` ("groups[0]" + "name" → "groups[0].name"). */
export function fieldPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/**
 * The issues of the field at `path` (issues already limited to one step). A container (a list or an object)
 * takes only issues naming it exactly — its fields show theirs; any other field takes every issue under it.
 */
export function issuesAt(issues: Issue[], path: string, container: boolean): Issue[] {
  return issues.filter((issue) => {
    const local = configPath(issue.path);
    if (local === null) return false;
    if (local === path) return true;
    return !container && (local.startsWith(`${path}.`) || local.startsWith(`${path}[`));
  });
}

type PathPart = string | number;

/** "groups[0].name" → ["groups", 0, "name"]. */
export function pathParts(path: string): PathPart[] {
  const parts: PathPart[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return parts;
}

/**
 * Where an issue is, in the form's words: "Groups › #1 › Group name" for `steps[4].config.groups[0].name`,
 * or null when the path is not inside the config (or is the config itself).
 */
export function issuePlace(issuePath: string, fields: FieldSpec[]): string | null {
  const local = configPath(issuePath);
  if (!local) return null;
  const words: string[] = [];
  let current: FieldSpec[] = fields;
  for (const part of pathParts(local)) {
    if (typeof part === "number") {
      words.push(`#${part + 1}`);
      continue;
    }
    const field = current.find((candidate) => candidate.key === part);
    words.push(field?.title ?? part);
    const widget = field?.widget;
    current = widget && (widget.kind === "list" || widget.kind === "object") ? widget.fields : [];
  }
  return words.join(" › ");
}

/**
 * An issue as the panels show it. The server's sentences name their field by its title ("Integration in Source
 * must be set."), so the place goes in front only of a message that does not already name the field.
 */
export function issueText(message: string, place: string | null): string {
  if (!place) return message;
  const field = place.split(" › ").pop() ?? place;
  return message.toLowerCase().includes(field.toLowerCase()) ? message : `${place}: ${message}`;
}
