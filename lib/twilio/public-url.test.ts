// The URL Twilio signed: PUBLIC_BASE_URL + path + query, else the request's URL as a proxy reports it.
import { describe, expect, it } from "vitest";
import { twilioSignedUrlOf } from "./public-url";

const request = (url: string, headers: Record<string, string> = {}) => new Request(url, { method: "POST", headers });

describe("twilioSignedUrlOf", () => {
  it("uses PUBLIC_BASE_URL (with or without a path prefix or trailing slash) + the path and query as received", () => {
    const r = request("http://10.0.0.5:3000/api/twilio/sms/status?tenant=a%20b&x=1");
    expect(twilioSignedUrlOf(r, { PUBLIC_BASE_URL: "https://billing.example.com/" })).toBe("https://billing.example.com/api/twilio/sms/status?tenant=a%20b&x=1");
    expect(twilioSignedUrlOf(r, { PUBLIC_BASE_URL: "https://example.com/billing" })).toBe("https://example.com/billing/api/twilio/sms/status?tenant=a%20b&x=1");
  });

  it("otherwise honours X-Forwarded-Proto / X-Forwarded-Host (first values), then Host, then the URL itself", () => {
    const url = "http://127.0.0.1:3000/api/twilio/voice/status";
    expect(twilioSignedUrlOf(request(url, { "x-forwarded-proto": "https, http", "x-forwarded-host": "hooks.example.com, proxy.internal" }), {})).toBe(
      "https://hooks.example.com/api/twilio/voice/status",
    );
    expect(twilioSignedUrlOf(request(url, { host: "billing.example.com:8443", "x-forwarded-proto": "https" }), {})).toBe(
      "https://billing.example.com:8443/api/twilio/voice/status",
    );
    expect(twilioSignedUrlOf(request(url), {})).toBe(url);
  });
});
