// The fake of Twilio's REST API answers as Twilio's published description says, read by the real
// `twilio` client: list envelopes paged by next_page_uri with a PageToken, newest first; StartTime> on or
// after a GMT day's midnight and StartTime< before it (DateSent the same, a message never sent has none);
// RFC 2822 times and negative decimal prices as strings; Usage Records per category; Twilio's error
// bodies for 401 (20003), 404 (20404) and an injected 429 (20429).
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sidOf } from "@/lib/testing/db";
import { callSource, fakeCall, fakeIncomingPhoneNumber, fakeMessage, messageSource } from "./resources";
import { startFakeTwilioRestApi, type FakeTwilioRestApi } from "./server";

const AC = sidOf("AC", 0xfa4e);
const TOKEN = "fake-api-test-token";
const NUMBER = "+14155550777";
const day = (d: number, i: number) => new Date(Date.UTC(2024, 4, d, 0, 0, 0) + i * 20_000);
const calls = [1, 2, 3].flatMap((d) =>
  Array.from({ length: d === 2 ? 2500 : 10 }, (_, i) =>
    fakeCall({ sid: sidOf("CA", d * 100_000 + i), accountSid: AC, from: "+13105550000", to: NUMBER, startTime: day(d, i), durationSeconds: 61 + (i % 3), status: i % 10 === 9 ? "busy" : "completed" }),
  ),
);
const messages = [
  fakeMessage({ sid: sidOf("SM", 1), accountSid: AC, from: "+13105550000", to: NUMBER, dateSent: day(2, 1), numSegments: 2 }),
  fakeMessage({ sid: sidOf("MM", 2), accountSid: AC, from: NUMBER, to: "+13105550000", dateSent: day(2, 2), numMedia: 1, direction: "outbound-api" }),
  fakeMessage({ sid: sidOf("SM", 3), accountSid: AC, from: NUMBER, to: "+13105550000", dateSent: null, direction: "outbound-api", status: "canceled" }),
];

describe("the fake of Twilio's REST API", () => {
  let api: FakeTwilioRestApi;
  const client = () => {
    const c = twilio(AC, TOKEN);
    c.api.baseUrl = api.url;
    return c.api.v2010.accounts(AC);
  };
  const raw = (path: string, token = TOKEN) => fetch(`${api.url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${AC}:${token}`).toString("base64")}` } });

  beforeAll(async () => {
    api = await startFakeTwilioRestApi({
      accounts: [
        {
          sid: AC,
          authToken: TOKEN,
          calls: callSource(calls),
          messages: messageSource(messages),
          incomingPhoneNumbers: [fakeIncomingPhoneNumber({ sid: sidOf("PN", 7), accountSid: AC, phoneNumber: NUMBER, capabilities: { sms: false } })],
        },
      ],
      fault: (r) => (r.query.get("Status") === "ringing" ? { status: 429 } : undefined),
    });
  });
  afterAll(() => api.close());

  it("pages a day of calls by next_page_uri and PageToken, newest first, within StartTime> and StartTime<", async () => {
    const first = await client().calls.page({ startTimeAfter: "2024-05-02" as unknown as Date, startTimeBefore: "2024-05-03" as unknown as Date, pageSize: 1000 });
    const sizes = [first.instances.length];
    const seen = [...first.instances];
    for (let page = first.nextPage(); page; ) {
      const next = await page;
      sizes.push(next.instances.length);
      seen.push(...next.instances);
      page = next.nextPage();
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(new Set(seen.map((c) => c.sid)).size).toBe(2500);
    expect(seen.every((c) => c.startTime.toISOString().startsWith("2024-05-02"))).toBe(true);
    expect(seen[0]!.startTime.getTime()).toBeGreaterThan(seen.at(-1)!.startTime.getTime());
    const pageTokens = api.requests.filter((r) => r.path.endsWith("/Calls.json")).map((r) => new URLSearchParams(r.query).get("PageToken"));
    expect(pageTokens.slice(-3)).toEqual([null, expect.stringMatching(/^PA[0-9a-f]+$/), expect.stringMatching(/^PA[0-9a-f]+$/)]);

    let counted = 0;
    await client().calls.each({ startTimeAfter: "2024-05-03" as unknown as Date, pageSize: 4 }, () => void counted++);
    expect(counted).toBe(10);
  });

  it("writes times in RFC 2822 and prices as negative decimal strings, as Twilio does", async () => {
    const body = (await (await raw(`/2010-04-01/Accounts/${AC}/Calls.json?StartTime=2024-05-01&PageSize=2`)).json()) as Record<string, unknown> & { calls: Record<string, unknown>[] };
    expect(body).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null, next_page_uri: expect.stringContaining("PageToken=PA") });
    const call = body.calls.find((c) => c.status === "completed");
    expect(call).toMatchObject({ status: "completed", direction: "inbound", duration: expect.stringMatching(/^\d+$/), price: expect.stringMatching(/^-0\.\d+$/), price_unit: "USD" });
    expect(call!.start_time).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const busy = (await client().calls.page({ startTime: "2024-05-01" as unknown as Date, pageSize: 10 })).instances.find((c) => c.status === "busy");
    expect(busy).toMatchObject({ duration: null, price: null });
  });

  it("filters messages by DateSent; a message never sent has no date_sent and is not listed by it", async () => {
    const page = await client().messages.page({ dateSentAfter: "2024-05-01" as unknown as Date, pageSize: 50 });
    expect(page.instances.map((m) => [m.sid, m.numSegments, m.numMedia])).toEqual([
      [sidOf("MM", 2), "1", "1"],
      [sidOf("SM", 1), "2", "0"],
    ]);
    const all = await client().messages.page({ pageSize: 50 });
    expect(all.instances).toHaveLength(3);
  });

  it("totals Usage Records per category over GMT days, and lists the account's numbers", async () => {
    const records = (await client().usage.records.page({ startDate: "2024-05-02" as unknown as Date, endDate: "2024-05-02" as unknown as Date, pageSize: 50 })).instances;
    const byCategory = Object.fromEntries(records.map((r) => [r.category, [r.count, r.usage]]));
    const completed = calls.filter((c) => c.start_time!.includes("02 May") && c.status === "completed");
    expect(byCategory["calls-inbound"]).toEqual([String(completed.length), String(completed.length * 2)]);
    expect(byCategory["sms-inbound"]).toEqual(["1", "2"]);
    expect(byCategory["mms-outbound"]).toEqual(["1", "1"]);
    const numbers = (await client().incomingPhoneNumbers.page({ pageSize: 50 })).instances;
    expect(numbers.map((n) => [n.sid, n.phoneNumber, n.capabilities])).toEqual([[sidOf("PN", 7), NUMBER, { voice: true, sms: false, mms: true, fax: false }]]);
  });

  it("answers with Twilio's error bodies: 401 (20003), 404 (20404), and an injected 429 (20429)", async () => {
    const unauthorized = await raw(`/2010-04-01/Accounts/${AC}/Calls.json`, "wrong");
    expect([unauthorized.status, await unauthorized.json()]).toEqual([401, { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 }]);
    const missing = await raw(`/2010-04-01/Accounts/${AC}/Queues.json`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 20404, status: 404 });
    const limited = await raw(`/2010-04-01/Accounts/${AC}/Calls.json?Status=ringing`);
    expect([limited.status, await limited.json()]).toEqual([429, { code: 20429, message: "Too Many Requests", more_info: "https://www.twilio.com/docs/errors/20429", status: 429 }]);
    const wrongToken = twilio(AC, "wrong");
    wrongToken.api.baseUrl = api.url;
    await expect(wrongToken.api.v2010.accounts(AC).calls.page({ pageSize: 1 })).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it("with cacheAnswers, a URL asked again is answered with the same body from the answers kept; faults still apply", async () => {
    const cached = await startFakeTwilioRestApi({
      accounts: [{ sid: AC, authToken: TOKEN, calls: callSource(calls), messages: messageSource(messages) }],
      cacheAnswers: true,
      fault: (r) => (r.attempt === 3 ? { status: 429 } : undefined),
    });
    try {
      const path = `/2010-04-01/Accounts/${AC}/Calls.json?StartTime%3E=2024-05-02&StartTime%3C=2024-05-03&PageSize=1000`;
      const get = () => fetch(`${cached.url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${AC}:${TOKEN}`).toString("base64")}` } });
      const first = await get();
      const again = await get();
      expect([first.status, again.status]).toEqual([200, 200]);
      const [a, b] = [await first.text(), await again.text()];
      expect(b).toBe(a);
      expect(JSON.parse(a).calls).toHaveLength(1000);
      expect([cached.pagesServed(), cached.pagesFromCache()]).toEqual([2, 1]);
      // The third request of the URL gets the injected 429, cache or not.
      const third = await get();
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({ code: 20429 });
    } finally {
      await cached.close();
    }
  });
});
