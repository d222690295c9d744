// The E.164 check answers the same from its memo as from libphonenumber-js: normalised when valid,
// refused with the same message when not, however often the number is asked.
import { describe, expect, it } from "vitest";
import { e164Schema } from "./index";

describe("e164Schema", () => {
  it("normalises a valid number and refuses an invalid one, the same on every call", () => {
    for (let i = 0; i < 3; i++) {
      expect(e164Schema.parse(" +1 (604) 555-0199 ")).toBe("+16045550199");
      const bad = e164Schema.safeParse("+1 000 000 0000");
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0]?.message).toBe("+10000000000 is not a valid phone number");
      expect(e164Schema.safeParse("4155550100").error?.issues[0]?.message).toMatch(/must be in E\.164 form/);
    }
  });
});
