// One pipeline: its header (version, archived, "Archive pipeline"), and tabs to edit its definition, see its
// versions (an older one opens read-only) and try it on a conversation.
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Alert, Anchor, Badge, Breadcrumbs, Center, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { useAuth } from "../auth";
import { ArchiveButton } from "./ArchiveButton";
import { errorText } from "./format";
import { PipelineEditor } from "./PipelineEditor";
import { TryPanel } from "./TryPanel";
import { usePipeline, useVersionDefinition } from "./usePipeline";
import { VersionsTable } from "./VersionsTable";

type Tab = "definition" | "versions" | "try";

function OlderVersion({ name, version, current }: { name: string; version: number; current: number }) {
  const { definition, error } = useVersionDefinition(name, version);
  if (error) return <Alert color="red" title={`Version ${version} could not be loaded`}>{errorText(error)}</Alert>;
  if (!definition)
    return (
      <Center h={200}>
        <Loader />
      </Center>
    );
  return (
    <Stack>
      <Alert color="blue" title={`Version ${version} (read-only)`}>
        The current version is {current}.{" "}
        <Anchor component={Link} to={`/pipelines/${encodeURIComponent(name)}`}>
          Back to the current version
        </Anchor>
      </Alert>
      <PipelineEditor key={`v${version}`} definition={definition} readOnly onSaved={() => undefined} />
    </Stack>
  );
}

export function PipelineView({ name }: { name: string }) {
  const { canEdit } = useAuth();
  const { detail, error, reload } = usePipeline(name);
  const [params, setParams] = useSearchParams();
  const [tab, setTab] = useState<Tab>("definition");
  const asked = Number(params.get("version"));
  const olderVersion = detail && Number.isInteger(asked) && asked >= 1 && asked !== detail.version ? asked : null;

  if (error)
    return (
      <Stack p="md">
        <Alert color="red" title="The pipeline could not be loaded">
          {errorText(error)}
        </Alert>
      </Stack>
    );
  if (!detail)
    return (
      <Center h="60vh">
        <Loader />
      </Center>
    );

  const archived = !!detail.archived;
  const openVersion = (version: number) => {
    setParams(version === detail.version ? {} : { version: String(version) });
    setTab("definition");
  };

  return (
    <Stack p="md" gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/pipelines">
          Pipelines
        </Anchor>
        <Text>{detail.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={1} size="h2">
            {detail.name}
          </Title>
          <Badge variant="light" tt="none">
            Version {detail.version}
          </Badge>
          {archived && (
            <Badge color="gray" variant="light" tt="none">
              Archived
            </Badge>
          )}
        </Group>
        {canEdit && <ArchiveButton name={detail.name} archived={archived} onChanged={reload} />}
      </Group>
      <Tabs value={tab} onChange={(value) => setTab((value as Tab) ?? "definition")} keepMounted>
        <Tabs.List>
          <Tabs.Tab value="definition">Definition</Tabs.Tab>
          <Tabs.Tab value="versions">Versions</Tabs.Tab>
          <Tabs.Tab value="try">Try on a conversation</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="definition" pt="md">
          {olderVersion !== null ? (
            <OlderVersion name={detail.name} version={olderVersion} current={detail.version} />
          ) : (
            // Not keyed by version: after "Save" the form already holds what was saved and keeps its
            // "Saved as version N" while the header catches up.
            <PipelineEditor
              definition={detail}
              readOnly={!canEdit || archived}
              onSaved={reload}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          <VersionsTable versions={detail.versions} current={detail.version} onOpen={openVersion} />
        </Tabs.Panel>
        <Tabs.Panel value="try" pt="md">
          <TryPanel
            name={detail.name}
            definition={detail}
            version={detail.version}
            versions={detail.versions.map((entry) => entry.number)}
          />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
