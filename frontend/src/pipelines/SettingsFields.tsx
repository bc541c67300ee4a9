// The pipeline's stages (switches), sentiment thresholds and prices: three small fieldsets of the editor.
import { Fieldset, NumberInput, Stack, Switch } from "@mantine/core";
import type { SentimentThresholds, Stages } from "../client/pipelines";
import type { PipelineForm } from "./definitionForm";

const STAGE_LABELS: { key: keyof Stages; label: string; description: string }[] = [
  { key: "transcribe", label: "Transcribe", description: "Turn audio into speaker turns" },
  { key: "sentiment", label: "Sentiment", description: "Sentiment per turn and overall" },
  { key: "score", label: "Score", description: "Score against the scorecard" },
  { key: "measures", label: "Measures", description: "Talk ratio, turns, silence" },
];

/** NumberInput gives "" when cleared: keep the last number so the form never holds a non-number. */
const asNumber = (value: number | string, fallback: number) => (typeof value === "number" ? value : fallback);

export function StagesFields({
  stages,
  onChange,
  readOnly,
}: {
  stages: Stages;
  onChange: (stages: Stages) => void;
  readOnly: boolean;
}) {
  return (
    <Fieldset legend="Stages" disabled={readOnly}>
      <Stack gap="sm">
        {STAGE_LABELS.map(({ key, label, description }) => (
          <Switch
            key={key}
            label={label}
            description={description}
            checked={stages[key]}
            onChange={(event) => onChange({ ...stages, [key]: event.currentTarget.checked })}
          />
        ))}
      </Stack>
    </Fieldset>
  );
}

export function SentimentFields({
  sentiment,
  onChange,
  errors,
  readOnly,
}: {
  sentiment: SentimentThresholds;
  onChange: (sentiment: SentimentThresholds) => void;
  errors: Record<string, string>;
  readOnly: boolean;
}) {
  return (
    <Fieldset legend="Sentiment thresholds" disabled={readOnly}>
      <Stack gap="sm">
        <NumberInput
          label="Negative below"
          description="Overall sentiment below this is negative"
          min={-1}
          max={1}
          step={0.05}
          decimalScale={3}
          value={sentiment.negative_below}
          onChange={(value) => onChange({ ...sentiment, negative_below: asNumber(value, sentiment.negative_below) })}
          error={errors["sentiment.negative_below"] ?? errors.sentiment}
        />
        <NumberInput
          label="Positive above"
          description="Overall sentiment above this is positive"
          min={-1}
          max={1}
          step={0.05}
          decimalScale={3}
          value={sentiment.positive_above}
          onChange={(value) => onChange({ ...sentiment, positive_above: asNumber(value, sentiment.positive_above) })}
          error={errors["sentiment.positive_above"]}
        />
      </Stack>
    </Fieldset>
  );
}

export function PricesFields({
  prices,
  onChange,
  errors,
  readOnly,
}: {
  prices: PipelineForm["prices"];
  onChange: (prices: PipelineForm["prices"]) => void;
  errors: Record<string, string>;
  readOnly: boolean;
}) {
  return (
    <Fieldset legend="Prices (credits)" disabled={readOnly}>
      <Stack gap="sm">
        <NumberInput
          label="Transcription per audio minute"
          description="Paid only for conversations with a recording"
          min={0}
          step={0.1}
          decimalScale={4}
          value={prices.transcription_per_audio_minute}
          onChange={(value) =>
            onChange({ ...prices, transcription_per_audio_minute: asNumber(value, prices.transcription_per_audio_minute) })
          }
          error={errors["prices.transcription_per_audio_minute"]}
        />
        <NumberInput
          label="Analysis per conversation"
          description="Sentiment, scoring and measures"
          min={0}
          step={0.1}
          decimalScale={4}
          value={prices.analysis_per_conversation}
          onChange={(value) =>
            onChange({ ...prices, analysis_per_conversation: asNumber(value, prices.analysis_per_conversation) })
          }
          error={errors["prices.analysis_per_conversation"]}
        />
      </Stack>
    </Fieldset>
  );
}
