// The score per criterion: pass / fail / not applicable, and its evidence — the turn that decided it (clicking
// scrolls the transcript there) or the value that did.
import { Anchor, Badge, Paper, Table, Text } from "@mantine/core";
import type { Criterion, TryResult } from "../client/pipelines";
import { KIND_LABELS } from "./criteria";
import { evidenceTurnIndex, formatClock, formatSentiment, isTurnEvidence } from "./tryResult";

function Verdict({ passed }: { passed: boolean | null | undefined }) {
  if (passed === true)
    return (
      <Badge color="green" variant="light" tt="none">
        Pass
      </Badge>
    );
  if (passed === false)
    return (
      <Badge color="red" variant="light" tt="none">
        Fail
      </Badge>
    );
  return (
    <Badge color="gray" variant="light" tt="none">
      N/A
    </Badge>
  );
}

/** A criterion's measured value as the kind reads it: a sentiment average signed, a measure rounded. */
function formatValue(value: number, criterion: Criterion | undefined): string {
  if (criterion?.kind === "sentiment_start" || criterion?.kind === "sentiment_end") return `Average ${formatSentiment(value)}`;
  if (criterion?.kind === "duration_range") return `Duration ${formatClock(value)}`;
  return `Measured ${Math.round(value * 1000) / 1000}`;
}

function EvidenceCell({
  result,
  name,
  criterion,
  onShowTurn,
}: {
  result: TryResult;
  name: string;
  criterion: Criterion | undefined;
  onShowTurn: (index: number) => void;
}) {
  const evidence = result.evidence[name];
  if (evidence === null || evidence === undefined) return <Text size="sm" c="dimmed">—</Text>;
  const value = typeof evidence.value === "number" ? formatValue(evidence.value, criterion) : null;
  if (!isTurnEvidence(evidence)) return <Text size="sm">{value ?? "—"}</Text>;
  const index = evidenceTurnIndex(evidence, result.turns);
  const turn = index === null ? null : result.turns[index];
  const at = formatClock(evidence.offset_s ?? turn?.offset_s);
  const similarity = typeof evidence.similarity === "number" ? ` (${Math.round(evidence.similarity)}%)` : "";
  const where = `Turn ${index === null ? "?" : index + 1}${at === "—" ? "" : ` · ${at}`} · ${evidence.speaker ?? turn?.speaker ?? ""}`;
  return (
    <div>
      {index === null ? (
        <Text size="sm">{where}</Text>
      ) : (
        <Anchor component="button" type="button" size="sm" onClick={() => onShowTurn(index)}>
          {where}
        </Anchor>
      )}
      {value && <Text size="sm">{value}</Text>}
      <Text size="xs" c="dimmed" lineClamp={2}>
        {evidence.match ? `“${evidence.match}”${similarity} in ` : ""}“{evidence.text ?? turn?.text ?? ""}”
      </Text>
    </div>
  );
}

export function CriteriaResults({
  result,
  scorecard,
  onShowTurn,
}: {
  result: TryResult;
  scorecard: Criterion[];
  onShowTurn: (index: number) => void;
}) {
  // The scorecard's order and titles; criteria the result names beyond it (none, normally) come last.
  const known = new Map(scorecard.map((criterion) => [criterion.name, criterion]));
  const names = [...scorecard.map((criterion) => criterion.name), ...Object.keys(result.criteria).filter((name) => !known.has(name))];
  return (
    <Paper withBorder radius="md" p="sm" aria-label="Scores per criterion">
      <Text fw={600} size="sm" mb="xs">
        Scores per criterion
      </Text>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Criterion</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Evidence</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {names.map((name) => {
            const criterion = known.get(name);
            return (
              <Table.Tr key={name} data-criterion={name}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {criterion?.title || name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {name}
                    {criterion ? ` · ${KIND_LABELS[criterion.kind] ?? criterion.kind} · weight ${criterion.weight ?? 1}` : ""}
                  </Text>
                </Table.Td>
                <Table.Td style={{ minWidth: 76, whiteSpace: "nowrap" }}>
                  <Verdict passed={result.criteria[name]} />
                </Table.Td>
                <Table.Td>
                  <EvidenceCell result={result} name={name} criterion={criterion} onShowTurn={onShowTurn} />
                  {result.reasons?.[name] && (
                    <Text size="xs" c="dimmed" mt={2} data-testid={`reason-${name}`}>
                      {result.reasons[name]}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
          {names.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={3}>
                <Text c="dimmed" size="sm">
                  No criteria
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
