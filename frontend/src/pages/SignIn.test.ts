import { describe, expect, it } from "vitest";
import { nextDownload } from "./SignIn";

describe("nextDownload", () => {
  it("follows an export link back after sign-in", () => {
    expect(nextDownload("?next=%2Fapi%2Fexports%2Fab12%2Fdownload%3Fsig%3Dx.y")).toBe("/api/exports/ab12/download?sig=x.y");
  });
  it("goes nowhere else", () => {
    for (const next of ["https://evil.example/api/exports/a/download?sig=1", "//evil.example/x", "/workflows", "/api/exports/a/../../x?"]) {
      expect(nextDownload(`?next=${encodeURIComponent(next)}`)).toBeNull();
    }
    expect(nextDownload("")).toBeNull();
  });
});
