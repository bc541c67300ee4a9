// Config keys the step kind's schema does not have (an imported file, an older version): kept as they are,
// shown so they can be removed (Final checks flag them).
import { Button, Code, Group, Stack, Text } from "@mantine/core";

interface Props {
  keys: string[];
  onRemove(key: string): void;
  readOnly: boolean;
}

export function UnknownKeys({ keys, onRemove, readOnly }: Props) {
  if (!keys.length) return null;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Other settings
      </Text>
      {keys.map((key) => (
        <Group key={key} justify="space-between">
          <Code>{key}</Code>
          {!readOnly && (
            <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${key}`} onClick={() => onRemove(key)}>
              Remove
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}
