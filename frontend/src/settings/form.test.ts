import { describe, expect, it } from "vitest";
import { ApiError } from "../client";
import type { WorkflowSettings } from "../client/lifecycle";
import { bodyFromForm, callUsage, errorsFromProblem, fieldOfPath, formFromSettings, validateForm } from "./form";

const settings: WorkflowSettings = {
  call_limit: 1000,
  credits_limit: null,
  overlap: "queue",
  credits_limit_since: null,
  credits_spent: 12.5,
  calls_last_24h: 3,
  triggers_last_24h: 1,
  conversations_last_24h: 2,
};

describe("form ↔ API body", () => {
  it("shows no limit as an empty field and sends an empty field as null", () => {
    const form = formFromSettings(settings);
    expect(form).toEqual({ callLimit: 1000, creditsLimit: "", overlap: "queue" });
    expect(bodyFromForm(form)).toEqual({ call_limit: 1000, credits_limit: null, overlap: "queue" });
  });

  it("reads numbers NumberInput left as text", () => {
    expect(bodyFromForm({ callLimit: " 20 ", creditsLimit: "5000.5", overlap: "skip" })).toEqual({
      call_limit: 20,
      credits_limit: 5000.5,
      overlap: "skip",
    });
  });
});

describe("validateForm", () => {
  it("accepts empty fields and non-negative limits", () => {
    expect(validateForm({ callLimit: "", creditsLimit: 0, overlap: "queue" })).toEqual({});
    expect(validateForm({ callLimit: 5, creditsLimit: 2.5, overlap: "parallel" })).toEqual({});
  });

  it("refuses negative, fractional call limits and text that is no number", () => {
    const errors = validateForm({ callLimit: 1.5, creditsLimit: "-", overlap: "queue" });
    expect(errors.callLimit).toMatch(/whole number/);
    expect(errors.creditsLimit).toMatch(/0 or more/);
    expect(validateForm({ callLimit: -1, creditsLimit: -2, overlap: "queue" })).toHaveProperty("callLimit");
  });
});

describe("errors from a failed save", () => {
  it("names the field from the issue's path, however it is prefixed", () => {
    expect(fieldOfPath("call_limit")).toBe("callLimit");
    expect(fieldOfPath("body.credits_limit")).toBe("creditsLimit");
    expect(fieldOfPath("settings.credits_limit")).toBe("creditsLimit");
    expect(fieldOfPath("overlap")).toBe("overlap");
    expect(fieldOfPath("name")).toBeNull();
  });

  it("puts each issue on its field and the rest in a general message", () => {
    const error = new ApiError(422, "Invalid request", "2 problem(s) in the request", "about:blank", [
      { path: "call_limit", message: "Input should be greater than or equal to 0", node: null },
      { path: "extra", message: "Extra inputs are not permitted", node: null },
    ]);
    expect(errorsFromProblem(error)).toEqual({
      fields: { callLimit: "Input should be greater than or equal to 0" },
      general: "extra: Extra inputs are not permitted",
    });
  });

  it("shows a problem without issues by its detail", () => {
    expect(errorsFromProblem(new ApiError(403, "Forbidden", "Viewers cannot change workflows"))).toEqual({
      fields: {},
      general: "Viewers cannot change workflows",
    });
  });
});

describe("call usage", () => {
  it("says what the calls are made of, against the limit", () => {
    expect(callUsage(1, 57, 100)).toBe("1 trigger + 57 conversations = 58 of 100 calls in the last 24 h");
    expect(callUsage(2, 1, null)).toBe("2 triggers + 1 conversation = 3 calls in the last 24 h");
  });
});
