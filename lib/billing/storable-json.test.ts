// storableJson: what the unmatched inbox stores of a provider's parameters. Every NUL (which jsonb
// refuses) becomes U+FFFD, in names and values, nested or not; the six characters "\u0000" written
// literally are text, not a NUL, and stay as they are.
import { describe, expect, it } from "vitest";
import { storableJson } from "./storable-json";

describe("storableJson", () => {
  it("replaces NUL characters and nothing else", () => {
    const cases: Array<[unknown, unknown]> = [
      [{ a: "x\u0000y" }, { a: "x\uFFFDy" }],
      [{ "k\u0000": "v" }, { "k\uFFFD": "v" }],
      [{ literal: "\\u0000" }, { literal: "\\u0000" }],
      [{ both: "\\\u0000" }, { both: "\\\uFFFD" }],
      [{ deep: ["\u0000", { z: "\\\\u0000\u0000" }] }, { deep: ["\uFFFD", { z: "\\\\u0000\uFFFD" }] }],
      [{ plain: "no change", n: 1 }, { plain: "no change", n: 1 }],
    ];
    for (const [input, stored] of cases) expect(JSON.parse(storableJson(input))).toEqual(stored);
  });
});
