// The fields of each criterion kind: phrases (TagsInput), speaker, fuzzy threshold (Slider + NumberInput),
// turn windows, sentiment bounds, duration and measure ranges.
import { Group, Input, NumberInput, Select, Slider, TagsInput } from "@mantine/core";
import type { Criterion } from "../client/pipelines";
import { MEASURES } from "./criteria";

type Patch = (fields: Record<string, unknown>) => void;

interface FieldProps {
  criterion: Criterion;
  onPatch: Patch;
  errors: Record<string, string>;
  readOnly: boolean;
}

const SPEAKERS = [
  { value: "agent", label: "Agent" },
  { value: "customer", label: "Customer" },
  { value: "any", label: "Anyone" },
];

/** A NumberInput's value as the form keeps it: "" (cleared) is unset. */
const orNull = (value: number | string) => (value === "" ? null : value);

function read(criterion: Criterion, key: string): unknown {
  return (criterion as unknown as Record<string, unknown>)[key];
}

function numberValue(criterion: Criterion, key: string): number | string {
  const value = read(criterion, key);
  return typeof value === "number" ? value : "";
}

function SpeakerSelect({ criterion, onPatch, errors, readOnly }: FieldProps) {
  return (
    <Select
      label="Speaker"
      description="Whose turns count"
      data={SPEAKERS}
      value={(read(criterion, "speaker") as string) ?? "agent"}
      allowDeselect={false}
      disabled={readOnly}
      onChange={(speaker) => speaker && onPatch({ speaker })}
      error={errors.speaker}
      w={140}
    />
  );
}

function NumberField({
  field,
  label,
  description,
  min,
  max,
  step = 1,
  decimals,
  width = 190,
  props,
}: {
  field: string;
  label: string;
  description?: string;
  min?: number;
  max?: number;
  step?: number;
  decimals?: number;
  width?: number;
  props: FieldProps;
}) {
  return (
    <NumberInput
      label={label}
      description={description}
      min={min}
      max={max}
      step={step}
      decimalScale={decimals}
      allowDecimal={decimals !== 0}
      value={numberValue(props.criterion, field)}
      disabled={props.readOnly}
      onChange={(value) => props.onPatch({ [field]: orNull(value) })}
      error={props.errors[field]}
      w={width}
    />
  );
}

function ThresholdField(props: FieldProps) {
  const value = numberValue(props.criterion, "threshold");
  const threshold = typeof value === "number" ? value : 85;
  return (
    <Input.Wrapper
      label="Fuzzy threshold"
      description="Match score (0–100) that counts as said"
      error={props.errors.threshold}
      w={320}
    >
      <Group gap="sm" wrap="nowrap" mt={4}>
        <Slider
          thumbLabel="Fuzzy threshold slider" // the thumb is what takes focus: it carries the name
          min={0}
          max={100}
          step={1}
          value={threshold}
          disabled={props.readOnly}
          onChange={(next) => props.onPatch({ threshold: next })}
          style={{ flex: 1 }}
        />
        <NumberInput
          aria-label="Fuzzy threshold"
          min={0}
          max={100}
          allowDecimal={false}
          value={value}
          disabled={props.readOnly}
          onChange={(next) => props.onPatch({ threshold: orNull(next) })}
          w={80}
        />
      </Group>
    </Input.Wrapper>
  );
}

function PhrasesField({ criterion, onPatch, errors, readOnly }: FieldProps) {
  const phrases = (read(criterion, "phrases") as string[] | undefined) ?? [];
  return (
    <TagsInput
      label="Phrases"
      description="Press Enter after each phrase; matched fuzzily, word by word, ignoring case and punctuation"
      placeholder={phrases.length === 0 ? "thank you for calling" : undefined}
      value={phrases}
      disabled={readOnly}
      onChange={(next) => onPatch({ phrases: next })}
      error={errors.phrases}
      clearable={!readOnly}
      splitChars={[","]}
    />
  );
}

export function CriterionFields(props: FieldProps) {
  const { criterion } = props;
  switch (criterion.kind) {
    case "phrase_said":
      return (
        <>
          <PhrasesField {...props} />
          <Group align="flex-start" wrap="wrap">
            <SpeakerSelect {...props} />
            <ThresholdField {...props} />
            <NumberField field="within_first_turns" label="Within first turns" description="Only the speaker's first N turns" min={1} decimals={0} props={props} />
            <NumberField field="within_last_turns" label="Within last turns" description="Only the speaker's last N turns" min={1} decimals={0} props={props} />
            <NumberField
              field="when_customer_sentiment_below"
              label="When customer sentiment below"
              description="Applies only if a customer turn is this negative"
              min={-1}
              max={1}
              step={0.05}
              decimals={3}
              width={250}
              props={props}
            />
          </Group>
        </>
      );
    case "phrase_not_said":
      return (
        <>
          <PhrasesField {...props} />
          <Group align="flex-start" wrap="wrap">
            <SpeakerSelect {...props} />
            <ThresholdField {...props} />
          </Group>
        </>
      );
    case "sentiment_start":
    case "sentiment_end": {
      const start = criterion.kind === "sentiment_start";
      return (
        <Group align="flex-start" wrap="wrap">
          <SpeakerSelect {...props} />
          <NumberField field="above" label="Sentiment above" description="The average (−1 to 1) must lie above" min={-1} max={1} step={0.05} decimals={3} props={props} />
          <NumberField field="below" label="Sentiment below" description="And below this (optional)" min={-1} max={1} step={0.05} decimals={3} props={props} />
          <NumberField
            field={start ? "first_turns" : "last_turns"}
            label={start ? "First turns" : "Last turns"}
            description={start ? "The speaker's first N turns" : "The speaker's last N turns"}
            min={1}
            decimals={0}
            props={props}
          />
        </Group>
      );
    }
    case "duration_range":
      return (
        <Group align="flex-start" wrap="wrap">
          <NumberField field="min_s" label="Minimum (s)" description="Leave empty for no minimum" min={0} decimals={1} props={props} />
          <NumberField field="max_s" label="Maximum (s)" description="Leave empty for no maximum" min={0} decimals={1} props={props} />
        </Group>
      );
    case "measure_range":
      return (
        <Group align="flex-start" wrap="wrap">
          <Select
            label="Measure"
            description="Of the whole conversation"
            data={MEASURES}
            value={(read(criterion, "measure") as string) ?? null}
            allowDeselect={false}
            disabled={props.readOnly}
            onChange={(measure) => measure && props.onPatch({ measure })}
            error={props.errors.measure}
            w={240}
          />
          <NumberField field="min" label="Minimum" description="Leave empty for no minimum" decimals={3} props={props} />
          <NumberField field="max" label="Maximum" description="Leave empty for no maximum" decimals={3} props={props} />
        </Group>
      );
    default:
      return null;
  }
}
