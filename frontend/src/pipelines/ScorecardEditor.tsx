// The scorecard: one card per criterion (kind, name, title, weight and the kind's own fields), "Add criterion"
// by kind, "Remove criterion".
import { Button, Fieldset, Group, Menu, Stack, Text } from "@mantine/core";
import type { Criterion, CriterionKind } from "../client/pipelines";
import { CriterionCard } from "./CriterionCard";
import { KIND_LABELS, KINDS, newCriterion } from "./criteria";
import { criterionErrors } from "./definitionForm";

export function ScorecardEditor({
  scorecard,
  onChange,
  errors,
  readOnly,
}: {
  scorecard: Criterion[];
  onChange: (scorecard: Criterion[]) => void;
  errors: Record<string, string>;
  readOnly: boolean;
}) {
  const names = scorecard.map((criterion) => criterion.name);
  const add = (kind: CriterionKind) => onChange([...scorecard, newCriterion(kind, names)]);
  const replace = (index: number, criterion: Criterion) =>
    onChange(scorecard.map((current, at) => (at === index ? criterion : current)));
  const remove = (index: number) => onChange(scorecard.filter((_, at) => at !== index));
  const totalWeight = scorecard.reduce((sum, criterion) => sum + (Number(criterion.weight) || 0), 0);

  return (
    <Fieldset legend="Scorecard">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Each criterion is a column criterion.&lt;name&gt;; the score is the weighted share of criteria passed
          {totalWeight > 0 ? ` (total weight ${Math.round(totalWeight * 100) / 100})` : ""}.
        </Text>
        {errors.scorecard && (
          <Text c="red" size="sm">
            {errors.scorecard}
          </Text>
        )}
        {scorecard.map((criterion, index) => (
          <CriterionCard
            key={index}
            index={index}
            criterion={criterion}
            onChange={(next) => replace(index, next)}
            onRemove={() => remove(index)}
            errors={criterionErrors(errors, index)}
            readOnly={readOnly}
          />
        ))}
        {scorecard.length === 0 && <Text c="dimmed">No criteria: conversations get no score.</Text>}
        {!readOnly && (
          <Group>
            <Menu position="bottom-start">
              <Menu.Target>
                <Button variant="light">Add criterion</Button>
              </Menu.Target>
              <Menu.Dropdown>
                {KINDS.map((kind) => (
                  <Menu.Item key={kind} onClick={() => add(kind)}>
                    {KIND_LABELS[kind]}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          </Group>
        )}
      </Stack>
    </Fieldset>
  );
}
