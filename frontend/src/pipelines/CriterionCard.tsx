// One scorecard criterion: its kind, name (the column criterion.<name>), title and weight, then its kind's fields.
import { Button, Group, NumberInput, Paper, Select, Stack, Text, TextInput } from "@mantine/core";
import type { Criterion, CriterionKind } from "../client/pipelines";
import { changeKind, criterionName, KIND_LABELS, KINDS } from "./criteria";
import { CriterionFields } from "./CriterionFields";

export function CriterionCard({
  index,
  criterion,
  onChange,
  onRemove,
  errors,
  readOnly,
}: {
  index: number;
  criterion: Criterion;
  onChange: (criterion: Criterion) => void;
  onRemove: () => void;
  errors: Record<string, string>;
  readOnly: boolean;
}) {
  const label = criterion.title || criterion.name || `Criterion ${index + 1}`;
  const patch = (fields: Record<string, unknown>) => onChange({ ...criterion, ...fields } as Criterion);
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={`Criterion ${label}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600} size="sm">
            {label}
          </Text>
          {!readOnly && (
            <Button size="xs" variant="subtle" color="red" onClick={onRemove} aria-label={`Remove criterion ${label}`}>
              Remove criterion
            </Button>
          )}
        </Group>
        <Group align="flex-start" wrap="wrap">
          <Select
            label="Kind"
            description="What the criterion checks"
            data={KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
            value={criterion.kind}
            allowDeselect={false}
            disabled={readOnly}
            onChange={(kind) => kind && onChange(changeKind(criterion, kind as CriterionKind))}
            w={220}
          />
          <TextInput
            label="Name"
            description="Column criterion.<name>"
            value={criterion.name}
            disabled={readOnly}
            // Keep the name column-safe as it is typed: spaces and capitals become "_" and lowercase.
            onChange={(event) => patch({ name: criterionName(event.currentTarget.value) || "" })}
            error={errors.name}
            w={200}
          />
          <TextInput
            label="Title"
            description="How reports name it"
            value={criterion.title ?? ""}
            disabled={readOnly}
            onChange={(event) => patch({ title: event.currentTarget.value })}
            error={errors.title}
            style={{ flex: 1 }}
            miw={200}
          />
          <NumberInput
            label="Weight"
            description="Share of the score"
            min={0.01}
            step={0.5}
            decimalScale={3}
            value={criterion.weight ?? 1}
            disabled={readOnly}
            onChange={(value) => patch({ weight: value === "" ? null : value })}
            error={errors.weight}
            w={130}
          />
        </Group>
        <CriterionFields criterion={criterion} onPatch={patch} errors={errors} readOnly={readOnly} />
        {errors[""] && (
          <Text c="red" size="sm">
            {errors[""]}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
