// "Try on a conversation": runs the pipeline's current version on one conversation (nothing stored, nothing
// charged) and shows the transcript, the score per criterion with its evidence, the sentiment curve, the
// measures and the price.
import { useRef, useState } from "react";
import { Alert, Badge, Button, Grid, Group, Paper, Select, Stack, Text } from "@mantine/core";
import { pipelinesApi, type PipelineDefinition, type TryResult } from "../client/pipelines";
import { ConversationPicker } from "./ConversationPicker";
import { CriteriaResults } from "./CriteriaResults";
import { errorText, formatPrice } from "./format";
import { MeasuresTable } from "./MeasuresTable";
import { SentimentCurve } from "./SentimentCurve";
import { Transcript, type TranscriptHandle } from "./Transcript";
import { useVersionDefinition } from "./usePipeline";
import { evidenceByTurn, formatSentiment, matchesByTurn, sentimentColour } from "./tryResult";

function Summary({ result, definition }: { result: TryResult; definition: PipelineDefinition }) {
  const { negative_below, positive_above } = definition.sentiment;
  return (
    <Paper withBorder p="sm" radius="md" aria-label="Try result">
      <Group gap="xl">
        <div>
          <Text size="xs" c="dimmed">
            Score
          </Text>
          <Text fw={700} size="lg">
            {/* 0–100: the weighted share of applicable criteria passed */}
            {result.score === null ? "—" : `${Math.round(result.score * 10) / 10}%`}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Sentiment
          </Text>
          <Group gap={6}>
            <Text fw={700} size="lg">
              {formatSentiment(result.sentiment)}
            </Text>
            {result.sentiment_label && (
              <Badge color={sentimentColour(result.sentiment, negative_below, positive_above)} variant="light" tt="none">
                {result.sentiment_label}
              </Badge>
            )}
          </Group>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Price
          </Text>
          <Text fw={700} size="lg">
            {formatPrice(result.credits)} {Number(result.credits) === 1 ? "credit" : "credits"}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Pipeline
          </Text>
          <Text fw={700} size="lg">
            {result.pipeline} v{result.version}
          </Text>
        </div>
      </Group>
    </Paper>
  );
}

export function TryPanel({
  name,
  definition,
  version,
  versions,
}: {
  name: string;
  /** The current version's definition. */
  definition: PipelineDefinition;
  version: number;
  versions: number[];
}) {
  // null: the current version (follows a save); a number: an older version picked to compare.
  const [chosen, setChosen] = useState<number | null>(null);
  const older = useVersionDefinition(name, chosen !== null && chosen !== version ? chosen : null);
  const shown = older.definition ?? definition; // titles, kinds and thresholds of the version tried
  const [conversation, setConversation] = useState<string | null>(null);
  const [result, setResult] = useState<TryResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [focused, setFocused] = useState<number | null>(null);
  const transcript = useRef<TranscriptHandle>(null);

  async function tryIt() {
    if (!conversation) return;
    setBusy(true);
    setFailure(null);
    setFocused(null);
    try {
      setResult(await pipelinesApi.tryOn(name, conversation, chosen ?? undefined));
    } catch (error) {
      setResult(null);
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }

  const showTurn = (index: number) => {
    setFocused(index);
    transcript.current?.scrollToTurn(index);
  };

  const marks = result ? evidenceByTurn(result.evidence, result.turns) : new Map<number, string[]>();
  const matches = result ? matchesByTurn(result.evidence, result.turns) : new Map<number, string[]>();

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Runs the pipeline on one conversation: nothing is stored and no credits are spent; the price shown is what
        processing it would cost.
      </Text>
      <Group align="flex-end">
        <ConversationPicker value={conversation} onChange={setConversation} />
        <Select
          label="Version"
          data={[...versions]
            .sort((a, b) => b - a)
            .map((number) => ({ value: String(number), label: number === version ? `v${number} (current)` : `v${number}` }))}
          value={String(chosen ?? version)}
          allowDeselect={false}
          onChange={(value) => {
            setChosen(value === null || Number(value) === version ? null : Number(value));
            setResult(null); // a result shown beside another version's scorecard would mislead
          }}
          w={150}
        />
        <Button onClick={() => void tryIt()} loading={busy} disabled={!conversation}>
          Try
        </Button>
      </Group>
      {failure && (
        <Alert color="red" title="The pipeline could not be tried">
          {failure}
        </Alert>
      )}
      {result && (
        <>
          {result.error && (
            <Alert color="red" title="The analysis failed">
              {result.error}
            </Alert>
          )}
          <Summary result={result} definition={shown} />
          <Grid gap="md">
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Transcript
                ref={transcript}
                turns={result.turns}
                marks={marks}
                matches={matches}
                focused={focused}
                sentiment={shown.sentiment}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Stack gap="md">
                <CriteriaResults result={result} scorecard={shown.scorecard} onShowTurn={showTurn} />
                <SentimentCurve turns={result.turns} />
                <MeasuresTable measures={result.measures} />
              </Stack>
            </Grid.Col>
          </Grid>
        </>
      )}
    </Stack>
  );
}
