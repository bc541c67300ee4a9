// The next five fire times of a schedule, asked of the server (it owns the schedule's meaning, DST included)
// shortly after the form stops changing.
import { useEffect, useState } from "react";
import { List, Loader, Stack, Text } from "@mantine/core";
import { ApiError, type Trigger } from "../client";
import { panelApi, type NextFireTimes as Times } from "../client/panel";
import { formatFireTime } from "./schedule";

const DEBOUNCE_MS = 350;

export function NextFireTimes({ trigger }: { trigger: Trigger }) {
  const [times, setTimes] = useState<Times | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key = JSON.stringify(trigger);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      panelApi
        .nextFireTimes(JSON.parse(key) as Trigger, 5, controller.signal)
        .then((answer) => {
          setTimes(answer);
          setError(null);
        })
        .catch((caught: unknown) => {
          if (controller.signal.aborted) return;
          const message =
            caught instanceof ApiError ? (caught.errors.map((issue) => issue.message).join("; ") || caught.detail || caught.title) : String(caught);
          setTimes(null);
          setError(message);
        })
        .finally(() => !controller.signal.aborted && setLoading(false));
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);

  return (
    <Stack gap={4} aria-live="polite">
      <Text size="sm" fw={500}>
        Next five fire times {loading && <Loader size={12} ml={4} />}
      </Text>
      {error && (
        <Text size="sm" c="red">
          {error}
        </Text>
      )}
      {times && (
        <List size="sm" spacing={2} aria-label="Next five fire times">
          {times.times.map((utc) => (
            <List.Item key={utc}>{formatFireTime(utc, times.timezone)}</List.Item>
          ))}
        </List>
      )}
      {times && (
        <Text size="xs" c="dimmed">
          As cron: {times.cron}
        </Text>
      )}
    </Stack>
  );
}
