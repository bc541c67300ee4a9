// Picks the conversation to try a pipeline on: an integration filter (server-side) and a searchable Select over
// GET /conversations (the newest first; searching matches the id, agent, customer, team, channel and integration).
// When there are more conversations than the loaded page, typed text is also searched on the server (`?q=`), so
// any conversation you may see can be found.
import { useEffect, useState } from "react";
import { Group, Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { pipelinesApi, type ConversationRow } from "../client/pipelines";
import { formatClock } from "./tryResult";

const LOAD = 500; // the API's largest page: enough to pick from; search narrows it in the browser
const FOUND = 100; // a server search's matches shown at once (the Select shows at most 100 options)

export function conversationLabel(row: ConversationRow): string {
  const who = [row.agent, row.customer].filter(Boolean).join(" ↔ ");
  // An audio call imported without its length or turns has neither until transcription.
  const length =
    row.duration_s !== null ? formatClock(row.duration_s) : row.turn_count > 0 ? `${row.turn_count} turns` : "no turns yet";
  return [row.id, row.channel, who, row.team, length, row.integration].filter(Boolean).join(" · ");
}

function useIntegrations(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    pipelinesApi
      .integrations(controller.signal)
      .then((page) => setNames(page.data.filter((item) => item.conversations > 0).map((item) => item.name)))
      .catch(() => undefined); // the filter is a convenience: without it the newest conversations still list
    return () => controller.abort();
  }, []);
  return names;
}

/** What the server finds for the typed text when the loaded page is not every conversation (null: not asked). */
function useServerSearch(search: string, integration: string | null, complete: boolean): ConversationRow[] | null {
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [found, setFound] = useState<ConversationRow[] | null>(null);
  useEffect(() => {
    setFound(null);
    if (complete || debounced.length < 2) return;
    const controller = new AbortController();
    pipelinesApi
      .conversations(FOUND, integration, controller.signal, debounced)
      .then((page) => setFound(page.data))
      .catch(() => undefined); // the loaded page still searches in the browser
    return () => controller.abort();
  }, [debounced, integration, complete]);
  return found;
}

export function ConversationPicker({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const integrations = useIntegrations();
  const [integration, setIntegration] = useState<string | null>(null);
  const [rows, setRows] = useState<ConversationRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<ConversationRow | null>(null);
  const complete = rows !== null && total <= rows.length;
  const found = useServerSearch(search, integration, complete);

  useEffect(() => {
    const controller = new AbortController();
    setRows(null);
    pipelinesApi
      .conversations(LOAD, integration, controller.signal)
      .then((page) => {
        setRows(page.data);
        setTotal(page.count);
        setFailure(null);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setFailure(String(error instanceof Error ? error.message : error));
      });
    return () => controller.abort();
  }, [integration]);

  // The server's matches first, then the loaded page, and the picked one (so the Select keeps showing its label).
  const options: ConversationRow[] = [];
  const seen = new Set<string>();
  for (const row of [...(found ?? []), ...(rows ?? []), ...(picked ? [picked] : [])]) {
    if (!seen.has(row.id)) {
      seen.add(row.id);
      options.push(row);
    }
  }
  const description = rows && !complete ? `The newest ${rows.length} of ${total}; typing searches them all` : undefined;

  return (
    <Group align="flex-end" style={{ flex: 1 }} wrap="nowrap">
      <Select
        label="Integration"
        placeholder="All integrations"
        clearable
        data={integrations}
        value={integration}
        onChange={setIntegration}
        w={200}
      />
      <Select
        label="Conversation"
        placeholder={rows === null && !failure ? "Loading conversations…" : "Search by id, agent, customer, team…"}
        description={description}
        searchable
        clearable
        limit={100}
        nothingFoundMessage="No conversation matches"
        allowDeselect={false}
        data={options.map((row) => ({ value: row.id, label: conversationLabel(row) }))}
        value={value}
        searchValue={search}
        onSearchChange={setSearch}
        onChange={(id) => {
          setPicked(options.find((row) => row.id === id) ?? null);
          onChange(id);
        }}
        error={failure}
        style={{ flex: 1 }}
      />
    </Group>
  );
}
