// "New pipeline": a name, a description, and optionally an existing pipeline to start from (its stages, scorecard
// and prices copied); POST /pipelines makes version 1 and opens it.
import { useState } from "react";
import { useNavigate } from "react-router";
import { Alert, Button, Group, Modal, Select, Stack, TextInput, Textarea } from "@mantine/core";
import { pipelinesApi, type PipelineSummary } from "../client/pipelines";
import { ApiError } from "../client/http";
import { emptyForm, fieldErrors, toBody, toForm } from "./definitionForm";
import { errorText } from "./format";

const NAME_RULE = /^[a-z0-9_-]+$/;

export function NewPipelineModal({
  opened,
  onClose,
  pipelines,
}: {
  opened: boolean;
  onClose: () => void;
  pipelines: PipelineSummary[];
}) {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [startFrom, setStartFrom] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const nameHint = name && !NAME_RULE.test(name) ? "Lowercase letters, digits, - and _ only" : undefined;

  async function create() {
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      const form = startFrom ? toForm(await pipelinesApi.get(startFrom)) : emptyForm();
      const body = toBody({ ...form, name: name.trim(), description: description.trim() });
      await pipelinesApi.create(body);
      onClose();
      navigate(`/pipelines/${encodeURIComponent(body.name)}`);
    } catch (error) {
      if (error instanceof ApiError && error.isValidation && error.errors.length > 0) setErrors(fieldErrors(error.errors));
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title="New pipeline">
      <Stack>
        <TextInput
          label="Name"
          description="Its id: lowercase letters, digits, - and _"
          placeholder="support-qa"
          required
          data-autofocus
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={nameHint ?? errors.name}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          error={errors.description}
        />
        <Select
          label="Start from"
          description="Copy the stages, scorecard and prices of an existing pipeline"
          placeholder="An empty scorecard"
          clearable
          data={pipelines.map((pipeline) => pipeline.name)}
          value={startFrom}
          onChange={setStartFrom}
        />
        {failure && (
          <Alert color="red" title="The pipeline could not be created">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void create()} loading={busy} disabled={!name || !!nameHint}>
            Create pipeline
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
