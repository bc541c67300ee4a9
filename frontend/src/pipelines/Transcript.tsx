// The tried conversation's transcript: speaker, times (mm:ss) and sentiment per turn; the turns that decided a
// criterion are marked with its name and their matched words highlighted; the page scrolls to a turn on request.
import { useImperativeHandle, useRef, type Ref } from "react";
import { Badge, Group, Highlight, Paper, ScrollArea, Stack, Text } from "@mantine/core";
import type { SentimentThresholds, TriedTurn } from "../client/pipelines";
import { formatSentiment, formatSpan, sentimentColour } from "./tryResult";

export interface TranscriptHandle {
  scrollToTurn: (index: number) => void;
}

const SPEAKER_COLOURS: Record<string, string> = { agent: "blue", customer: "grape" };

export function Transcript({
  ref,
  turns,
  marks,
  matches,
  focused,
  sentiment,
}: {
  ref?: Ref<TranscriptHandle>;
  turns: TriedTurn[];
  /** Turn index → names of the criteria it is the evidence of. */
  marks: Map<number, string[]>;
  /** Turn index → the words that matched there. */
  matches: Map<number, string[]>;
  focused: number | null;
  sentiment: SentimentThresholds;
}) {
  const items = useRef(new Map<number, HTMLDivElement>());
  useImperativeHandle(ref, () => ({
    scrollToTurn: (index: number) => items.current.get(index)?.scrollIntoView({ block: "center", behavior: "smooth" }),
  }));
  return (
    <Paper withBorder radius="md" p="sm" aria-label="Transcript">
      <Text fw={600} size="sm" mb="xs">
        Transcript ({turns.length} turns)
      </Text>
      {/* Focusable, so a keyboard can scroll a long transcript (arrow keys, Page Down) as a pointer can. */}
      <ScrollArea.Autosize mah={640} type="auto" viewportProps={{ tabIndex: 0 }}>
        <Stack gap={6} pr="sm">
          {turns.map((turn, index) => {
            const criteria = marks.get(index);
            const isFocused = focused === index;
            return (
              <Paper
                key={index}
                ref={(element: HTMLDivElement | null) => {
                  if (element) items.current.set(index, element);
                  else items.current.delete(index);
                }}
                data-turn={index}
                data-evidence={criteria ? "true" : undefined}
                aria-current={isFocused ? "true" : undefined}
                p="xs"
                radius="sm"
                withBorder
                bg={isFocused ? "yellow.1" : criteria ? "yellow.0" : undefined}
                style={criteria ? { borderColor: "var(--mantine-color-yellow-6)" } : undefined}
              >
                <Group gap="xs" mb={2}>
                  <Badge size="sm" variant="light" color={SPEAKER_COLOURS[turn.speaker] ?? "gray"} tt="none">
                    {turn.speaker}
                  </Badge>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {formatSpan(turn.offset_s, turn.end_s) || `#${index + 1}`}
                  </Text>
                  {turn.sentiment !== null && (
                    <Badge
                      size="sm"
                      variant="outline"
                      color={sentimentColour(turn.sentiment, sentiment.negative_below, sentiment.positive_above)}
                      tt="none"
                    >
                      {formatSentiment(turn.sentiment)}
                    </Badge>
                  )}
                  {criteria?.map((name) => (
                    <Badge key={name} size="sm" color="yellow" variant="filled" tt="none">
                      {name}
                    </Badge>
                  ))}
                </Group>
                <Highlight size="sm" highlight={matches.get(index) ?? []}>
                  {turn.text}
                </Highlight>
              </Paper>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}
