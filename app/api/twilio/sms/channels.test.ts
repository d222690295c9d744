// Messages by channel and direction, as Twilio prices them: WhatsApp (`whatsapp:` addresses) and MMS
// (an MM SID or NumMedia > 0) each count in their own counters, the sms_* counters count SMS only, and
// SMS segments are counted by direction; every retry counts nothing more. Through the real routes with
// requests signed as Twilio signs them.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, inboundSmsParams, mapNumberSince, messageStatusParams, signedTwilioPost } from "@/lib/twilio/test-support";
import { POST as inbound } from "./inbound/route";
import { POST as status } from "./status/route";

configureTwoTwilioAccounts();
const NUMBER = "+14155550100";
const receive = (params: Record<string, string>) => inbound(signedTwilioPost("/api/twilio/sms/inbound", params));
const report = (params: Record<string, string>) => status(signedTwilioPost("/api/twilio/sms/status", params));

const COLUMNS = [
  "sms_count_used",
  "sms_received_count",
  "sms_sent_count",
  "sms_segments_used",
  "sms_inbound_segments",
  "sms_outbound_segments",
  "mms_received_count",
  "mms_sent_count",
  "whatsapp_received_count",
  "whatsapp_sent_count",
] as const;
type Totals = Record<(typeof COLUMNS)[number], number>;

describe("message channels and directions", () => {
  const database = useTestDatabase();
  let mapping = "";

  async function totals(): Promise<Totals> {
    const [row] = await queryRows<Totals>(
      database().db,
      sql.raw(`select ${COLUMNS.map((c) => `coalesce(sum(${c}), 0)::int as ${c}`).join(", ")}
               from tenant_usage_counters where phone_mapping_id = '${mapping}'`),
    );
    return row!;
  }

  /** Sends `deliver` three times (the first and two retries) and returns what the counters gained. */
  async function gained(deliver: () => Promise<Response>): Promise<Partial<Totals>> {
    const before = await totals();
    for (let i = 0; i < 3; i++) expect((await deliver()).status).toBe(200);
    const after = await totals();
    return Object.fromEntries(COLUMNS.map((c) => [c, after[c] - before[c]]).filter(([, d]) => d !== 0));
  }

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    mapping = await mapNumberSince(db, "clinic", NUMBER, 1, new Date("2020-01-01T00:00:00Z"));
  });

  it("an inbound SMS of 3 segments: one received SMS, 3 inbound segments", async () => {
    expect(await gained(() => receive(inboundSmsParams({ MessageSid: sidOf("SM", 1), To: NUMBER, NumSegments: "3" })))).toEqual({
      sms_count_used: 1,
      sms_received_count: 1,
      sms_segments_used: 3,
      sms_inbound_segments: 3,
    });
  });

  it("an outbound SMS of 2 segments: one sent SMS, 2 outbound segments", async () => {
    expect(await gained(() => report(messageStatusParams({ MessageSid: sidOf("SM", 2), MessageStatus: "delivered", From: NUMBER, NumSegments: "2" })))).toEqual({
      sms_count_used: 1,
      sms_sent_count: 1,
      sms_segments_used: 2,
      sms_outbound_segments: 2,
    });
  });

  it("an inbound WhatsApp message (whatsapp: addresses) counts as WhatsApp, not SMS", async () => {
    const params = inboundSmsParams({ MessageSid: sidOf("SM", 3), From: "whatsapp:+12065550199", To: `whatsapp:${NUMBER}` });
    expect(await gained(() => receive(params))).toEqual({ whatsapp_received_count: 1 });
    const [log] = await queryRows<{ channel: string }>(database().db, sql`select channel from tenant_usage_logs where provider_sid = ${sidOf("SM", 3)}`);
    expect(log?.channel).toBe("whatsapp");
  });

  it("an outbound WhatsApp message counts as WhatsApp sent", async () => {
    const params = messageStatusParams({ MessageSid: sidOf("SM", 4), MessageStatus: "delivered", From: `whatsapp:${NUMBER}`, To: "whatsapp:+12065550199" });
    expect(await gained(() => report(params))).toEqual({ whatsapp_sent_count: 1 });
  });

  it("an inbound MMS (MM SID) and an SM message with media count as MMS received", async () => {
    expect(await gained(() => receive(inboundSmsParams({ MessageSid: sidOf("MM", 5), To: NUMBER, NumMedia: "1" })))).toEqual({ mms_received_count: 1 });
    expect(await gained(() => receive(inboundSmsParams({ MessageSid: sidOf("SM", 6), To: NUMBER, NumMedia: "2" })))).toEqual({ mms_received_count: 1 });
  });

  it("an outbound MMS counts as MMS sent", async () => {
    expect(await gained(() => report(messageStatusParams({ MessageSid: sidOf("MM", 7), MessageStatus: "sent", From: NUMBER })))).toEqual({ mms_sent_count: 1 });
  });

  it("log_sms_usage in psql counts SMS by default and a channel named in its metadata", async () => {
    const { db } = database();
    const before = await totals();
    await db.execute(sql`select log_sms_usage('clinic', ${mapping}::uuid, 'inbound', '{"message_sid": "SMpsql1"}'::jsonb)`);
    await db.execute(sql`select log_sms_usage('clinic', ${mapping}::uuid, 'outbound', '{"message_sid": "MMpsql2", "channel": "mms"}'::jsonb)`);
    const after = await totals();
    expect([after.sms_received_count - before.sms_received_count, after.mms_sent_count - before.mms_sent_count]).toEqual([1, 1]);
    const refused = await db.execute(sql`select log_sms_usage('clinic', ${mapping}::uuid, 'inbound', '{"message_sid": "SMpsql3", "channel": "fax"}'::jsonb)`).then(
      () => "counted",
      (err: unknown) => String((err as { cause?: { message?: string } }).cause?.message ?? err),
    );
    expect(refused).toMatch(/channel must be "sms", "mms" or "whatsapp", got "fax"/);
    expect(await totals()).toEqual(after);
  });
});
