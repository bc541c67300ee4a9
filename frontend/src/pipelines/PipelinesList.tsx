// The list of pipelines: name, current version, description, criteria count, prices, archived; "New pipeline".
import { useState } from "react";
import { Link } from "react-router";
import { Alert, Anchor, Badge, Button, Center, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useAuth } from "../auth";
import type { PipelineSummary } from "../client/pipelines";
import { errorText, formatPrice } from "./format";
import { NewPipelineModal } from "./NewPipelineModal";
import { usePipelines } from "./usePipelines";

function PipelineRow({ pipeline }: { pipeline: PipelineSummary }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Anchor component={Link} to={`/pipelines/${encodeURIComponent(pipeline.name)}`} fw={600}>
            {pipeline.name}
          </Anchor>
          {pipeline.archived && (
            <Badge color="gray" variant="light" tt="none">
              Archived
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>v{pipeline.version}</Table.Td>
      <Table.Td maw={420}>
        <Text size="sm" lineClamp={2}>
          {pipeline.description || "—"}
        </Text>
      </Table.Td>
      <Table.Td>{pipeline.criteria.length}</Table.Td>
      <Table.Td>
        <Text size="sm">{formatPrice(pipeline.prices.analysis_per_conversation)} per conversation</Text>
        <Text size="sm" c="dimmed">
          {formatPrice(pipeline.prices.transcription_per_audio_minute)} per audio minute
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function PipelinesList() {
  const { canEdit } = useAuth();
  const { pipelines, error } = usePipelines();
  const [creating, setCreating] = useState(false);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Pipelines
        </Title>
        {canEdit && <Button onClick={() => setCreating(true)}>New pipeline</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        A pipeline decides how each conversation is transcribed, scored, and analysed, and what it costs in credits.
      </Text>
      {error ? (
        <Alert color="red" title="The pipelines could not be loaded">
          {errorText(error)}
        </Alert>
      ) : null}
      {pipelines === null && !error ? (
        <Center h={200}>
          <Loader />
        </Center>
      ) : null}
      {pipelines !== null && (
        <Table striped highlightOnHover aria-label="Pipelines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Criteria</Table.Th>
              <Table.Th>Price (credits)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {pipelines.map((pipeline) => (
              <PipelineRow key={pipeline.name} pipeline={pipeline} />
            ))}
            {pipelines.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <Text c="dimmed">No pipelines yet</Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      )}
      <NewPipelineModal opened={creating} onClose={() => setCreating(false)} pipelines={pipelines ?? []} />
    </Stack>
  );
}
