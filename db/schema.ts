// Every table of billing-map. Names and the original design's columns are part of the public
// contract (ARCHITECTURE.md): users and scripts query them directly in psql.
//
// What drizzle cannot express lives beside it: partial unique indexes and composite types in the custom
// migrations of db/migrations, every SQL function once in db/functions/.
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

export const numberTypes = ["voice", "sms", "both"] as const;
export const usageTypes = ["voice", "sms"] as const;
export const smsDirections = ["inbound", "outbound"] as const;
export const messageChannels = ["sms", "mms", "whatsapp"] as const;
export const logEntryKinds = ["usage", "adjustment"] as const;
export const userRoles = ["ops", "tenant"] as const;
export const unmatchedStatuses = ["open", "assigned", "dismissed"] as const;
export const alertMetrics = ["voice_minutes", "sms"] as const;

export type NumberType = (typeof numberTypes)[number];
export type UsageType = (typeof usageTypes)[number];
export type SmsDirection = (typeof smsDirections)[number];
export type MessageChannel = (typeof messageChannels)[number];
export type UserRole = (typeof userRoles)[number];

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    billingTimeZone: text("billing_time_zone").notNull().default("UTC"),
    // Monthly allowances for alerts (null: no allowance, no alert).
    voiceMinutesAllowance: integer("voice_minutes_allowance"),
    smsAllowance: integer("sms_allowance"),
    createdAt: createdAt(),
  },
  (t) => [
    check("tenants_id_shape", sql`${t.id} ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'`),
    check("tenants_allowances_positive", sql`coalesce(${t.voiceMinutesAllowance}, 1) > 0 and coalesce(${t.smsAllowance}, 1) > 0`),
  ],
);

export const tenantPhoneMappings = pgTable(
  "tenant_phone_mappings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    twilioNumberSid: text("twilio_number_sid").notNull(),
    phoneNumber: text("phone_number").notNull(),
    numberType: text("number_type", { enum: numberTypes }).notNull().default("both"),
    provisionedAt: timestamp("provisioned_at", { withTimezone: true }).notNull().defaultNow(),
    deprovisionedAt: timestamp("deprovisioned_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The original design's key: one row per tenant and number (a re-map updates it).
    unique("tenant_phone_mappings_tenant_id_phone_number_key").on(t.tenantId, t.phoneNumber),
    // What a log entry's composite foreign key points at: a mapping together with its tenant.
    unique("tenant_phone_mappings_id_tenant_id_key").on(t.id, t.tenantId),
    check("tenant_phone_mappings_number_type", sql`${t.numberType} in ('voice', 'sms', 'both')`),
    check("tenant_phone_mappings_phone_e164", sql`${t.phoneNumber} ~ '^\\+[1-9][0-9]{6,14}$'`),
    // PN and 32 letters or digits, as lib/validation's twilioNumberSidSchema (the original design's
    // placeholder SID included).
    check("tenant_phone_mappings_sid_shape", sql`${t.twilioNumberSid} ~ '^PN[0-9A-Za-z]{32}$'`),
    check("tenant_phone_mappings_span", sql`${t.deprovisionedAt} is null or ${t.deprovisionedAt} >= ${t.provisionedAt}`),
    // Serves findActiveMappingForNumber(phone, at): the mapping whose span covers the event's time.
    index("tenant_phone_mappings_phone_span_idx").on(t.phoneNumber, t.provisionedAt.desc()),
    // Serves the ops numbers list filtered by tenant.
    index("tenant_phone_mappings_tenant_idx").on(t.tenantId, t.provisionedAt.desc()),
    // Serves the ops numbers list, newest first, by keyset.
    index("tenant_phone_mappings_provisioned_idx").on(t.provisionedAt.desc(), t.id.desc()),
    // The partial unique indexes "one active mapping per number / per number SID" are in
    // migrations/0001_billing_functions.sql.
  ],
);

export const tenantUsageCounters = pgTable(
  "tenant_usage_counters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    phoneMappingId: uuid("phone_mapping_id").notNull().references(() => tenantPhoneMappings.id),
    billingPeriodStart: date("billing_period_start").notNull(),
    billingPeriodEnd: date("billing_period_end").notNull(),
    voiceMinutesUsed: integer("voice_minutes_used").notNull().default(0),
    smsCountUsed: integer("sms_count_used").notNull().default(0),
    voiceCallsCount: integer("voice_calls_count").notNull().default(0),
    smsSentCount: integer("sms_sent_count").notNull().default(0),
    smsReceivedCount: integer("sms_received_count").notNull().default(0),
    // Raw figures beside the billed ones: Twilio bills minutes rounded up per call, and SMS per segment.
    voiceSecondsUsed: bigint("voice_seconds_used", { mode: "number" }).notNull().default(0),
    smsSegmentsUsed: integer("sms_segments_used").notNull().default(0),
    // By direction, as Twilio prices them: voice_minutes_used is inbound + outbound, sms_segments_used
    // is inbound + outbound segments. The sms_* columns count the SMS channel only; MMS and WhatsApp
    // messages have counters of their own.
    voiceInboundMinutes: integer("voice_inbound_minutes").notNull().default(0),
    voiceOutboundMinutes: integer("voice_outbound_minutes").notNull().default(0),
    smsInboundSegments: integer("sms_inbound_segments").notNull().default(0),
    smsOutboundSegments: integer("sms_outbound_segments").notNull().default(0),
    mmsSentCount: integer("mms_sent_count").notNull().default(0),
    mmsReceivedCount: integer("mms_received_count").notNull().default(0),
    whatsappSentCount: integer("whatsapp_sent_count").notNull().default(0),
    whatsappReceivedCount: integer("whatsapp_received_count").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("tenant_usage_counters_tenant_mapping_period_key").on(t.tenantId, t.phoneMappingId, t.billingPeriodStart),
    check("tenant_usage_counters_period", sql`${t.billingPeriodEnd} >= ${t.billingPeriodStart}`),
    check(
      "tenant_usage_counters_non_negative",
      sql`${t.voiceMinutesUsed} >= 0 and ${t.smsCountUsed} >= 0 and ${t.voiceCallsCount} >= 0 and ${t.smsSentCount} >= 0 and ${t.smsReceivedCount} >= 0 and ${t.voiceSecondsUsed} >= 0 and ${t.smsSegmentsUsed} >= 0 and ${t.voiceInboundMinutes} >= 0 and ${t.voiceOutboundMinutes} >= 0 and ${t.smsInboundSegments} >= 0 and ${t.smsOutboundSegments} >= 0 and ${t.mmsSentCount} >= 0 and ${t.mmsReceivedCount} >= 0 and ${t.whatsappSentCount} >= 0 and ${t.whatsappReceivedCount} >= 0`,
    ),
    // Serves the monthly report: every counter of one period (ops usage page, CSV export).
    index("tenant_usage_counters_period_idx").on(t.billingPeriodStart, t.tenantId),
  ],
);

export const tenantUsageLogs = pgTable(
  "tenant_usage_logs",
  {
    // A bigint identity keeps the keyset (logged_at, id) compact for a log of many millions of rows.
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // Both checked by one foreign key (below): the entry's mapping, held by the entry's tenant.
    tenantId: text("tenant_id").notNull(),
    phoneMappingId: uuid("phone_mapping_id").notNull(),
    usageType: text("usage_type", { enum: usageTypes }).notNull(),
    // 'usage' for what Twilio reported, 'adjustment' for an ops correction (never an edit).
    entryKind: text("entry_kind", { enum: logEntryKinds }).notNull().default("usage"),
    // Billed quantity: minutes (rounded up per call) for voice, messages for SMS. Signed for adjustments.
    quantity: integer("quantity").notNull(),
    unit: text("unit").notNull(),
    voiceSeconds: integer("voice_seconds"),
    smsSegments: integer("sms_segments"),
    direction: text("direction"),
    // A message's channel (sms, mms, whatsapp); null for voice.
    channel: text("channel", { enum: messageChannels }),
    // A call leg's parent (Twilio's ParentCallSid): the legs of one call belong to one tenant.
    parentCallSid: text("parent_call_sid"),
    // The provider's id (CallSid / MessageSid) and the exactly-once key built from it:
    // 'voice:<CallSid>' or 'sms:<direction>:<MessageSid>'.
    providerSid: text("provider_sid"),
    idempotencyKey: text("idempotency_key").unique("tenant_usage_logs_idempotency_key_key"),
    eventAt: timestamp("event_at", { withTimezone: true }).notNull(),
    billingPeriodStart: date("billing_period_start").notNull(),
    actor: text("actor"),
    reason: text("reason"),
    metadata: jsonb("metadata").notNull().default({}),
    loggedAt: timestamp("logged_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One check per entry where a key per column cost two (each a query of its own on every insert,
    // about a fifth of a batch's time): the mapping exists and belongs to the entry's tenant (which
    // the mapping's own key says exists).
    foreignKey({
      name: "tenant_usage_logs_mapping_of_tenant_fk",
      columns: [t.phoneMappingId, t.tenantId],
      foreignColumns: [tenantPhoneMappings.id, tenantPhoneMappings.tenantId],
    }),
    check("tenant_usage_logs_usage_type", sql`${t.usageType} in ('voice', 'sms')`),
    check("tenant_usage_logs_entry_kind", sql`${t.entryKind} in ('usage', 'adjustment')`),
    check("tenant_usage_logs_direction", sql`${t.direction} is null or ${t.direction} in ('inbound', 'outbound')`),
    check("tenant_usage_logs_channel", sql`${t.channel} is null or ${t.channel} in ('sms', 'mms', 'whatsapp')`),
    check(
      "tenant_usage_logs_adjustment_has_reason",
      sql`${t.entryKind} = 'usage' or (${t.reason} is not null and ${t.actor} is not null)`,
    ),
    // The original design indexes tenant, mapping, usage type and time. Each carries (logged_at, id)
    // so the audit-log browser pages by keyset, newest first, with or without that filter.
    index("tenant_usage_logs_tenant_idx").on(t.tenantId, t.loggedAt.desc(), t.id.desc()),
    index("tenant_usage_logs_mapping_idx").on(t.phoneMappingId, t.loggedAt.desc(), t.id.desc()),
    index("tenant_usage_logs_usage_type_idx").on(t.usageType, t.loggedAt.desc(), t.id.desc()),
    index("tenant_usage_logs_logged_at_idx").on(t.loggedAt.desc(), t.id.desc()),
    // A parent leg with no tenant number finds its counted dialed legs here.
    index("tenant_usage_logs_parent_call_idx").on(t.parentCallSid).where(sql`${t.parentCallSid} is not null`),
    // Serves reconciliation: the corrections it posted for one event (metadata.corrects = its key).
    index("tenant_usage_logs_corrects_idx")
      .on(sql`(${t.metadata} ->> 'corrects')`)
      .where(sql`${t.actor} = 'reconciliation'`),
  ],
);

// Usage per tenant and day (the day the event happened, in the tenant's time zone), kept by
// log_usage_batch in the same transaction as the counters: the daily chart reads a month of days here
// instead of aggregating a month of log rows. Adjustments belong to a period, not a day: not counted here.
export const tenantUsageDaily = pgTable(
  "tenant_usage_daily",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    day: date("day").notNull(),
    billingPeriodStart: date("billing_period_start").notNull(),
    voiceMinutes: bigint("voice_minutes", { mode: "number" }).notNull().default(0),
    voiceCalls: bigint("voice_calls", { mode: "number" }).notNull().default(0),
    messages: bigint("messages", { mode: "number" }).notNull().default(0),
    // Every other counter of tenant_usage_counters, named as there (voice_minutes and voice_calls are
    // its voice_minutes_used and voice_calls_count; messages is every channel's messages): the usage
    // screens compare a period in progress with the same days of the previous one, figure by figure.
    voiceSecondsUsed: bigint("voice_seconds_used", { mode: "number" }).notNull().default(0),
    voiceInboundMinutes: bigint("voice_inbound_minutes", { mode: "number" }).notNull().default(0),
    voiceOutboundMinutes: bigint("voice_outbound_minutes", { mode: "number" }).notNull().default(0),
    smsCountUsed: bigint("sms_count_used", { mode: "number" }).notNull().default(0),
    smsSentCount: bigint("sms_sent_count", { mode: "number" }).notNull().default(0),
    smsReceivedCount: bigint("sms_received_count", { mode: "number" }).notNull().default(0),
    smsSegmentsUsed: bigint("sms_segments_used", { mode: "number" }).notNull().default(0),
    smsInboundSegments: bigint("sms_inbound_segments", { mode: "number" }).notNull().default(0),
    smsOutboundSegments: bigint("sms_outbound_segments", { mode: "number" }).notNull().default(0),
    mmsSentCount: bigint("mms_sent_count", { mode: "number" }).notNull().default(0),
    mmsReceivedCount: bigint("mms_received_count", { mode: "number" }).notNull().default(0),
    whatsappSentCount: bigint("whatsapp_sent_count", { mode: "number" }).notNull().default(0),
    whatsappReceivedCount: bigint("whatsapp_received_count", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.billingPeriodStart, t.day] }),
    index("tenant_usage_daily_period_idx").on(t.billingPeriodStart, t.day),
  ],
);

export const analyticsEvents = pgTable(
  "analytics_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventType: text("event_type").notNull(),
    tenantId: text("tenant_id"),
    // Who did it: 'user:<email>', 'apikey:<name>', 'system', 'twilio'.
    actor: text("actor"),
    properties: jsonb("properties").notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    // Serves the ops activity feed and a tenant's alerts (newest first).
    index("analytics_events_type_idx").on(t.eventType, t.createdAt.desc()),
    index("analytics_events_tenant_idx").on(t.tenantId, t.createdAt.desc()),
  ],
);

export const unmatchedUsageEvents = pgTable(
  "unmatched_usage_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // Same key as the log's: a retried webhook for an unmatched number is stored once.
    idempotencyKey: text("idempotency_key").notNull().unique("unmatched_usage_events_idempotency_key_key"),
    usageType: text("usage_type", { enum: usageTypes }).notNull(),
    // Null only for a callback whose direction could not be read (reason says why).
    direction: text("direction", { enum: smsDirections }),
    // Null when the tenant's side of the event is not a phone number (a Client or SIP leg, or an
    // unreadable address: reason says which).
    phoneNumber: text("phone_number"),
    // Null only for a callback without a readable SID (kept once per distinct body).
    providerSid: text("provider_sid"),
    channel: text("channel", { enum: messageChannels }),
    parentCallSid: text("parent_call_sid"),
    // Why no mapping took it: no mapping held the number, a leg waits for its relative, or a field of a
    // signed callback could not be read.
    reason: text("reason"),
    // The ledger event it would be counted as (kind, duration or direction, metadata): an assignment,
    // or the relative of a waiting call leg, counts exactly this. Null for an unreadable callback.
    ledgerEvent: jsonb("ledger_event"),
    accountSid: text("account_sid"),
    eventAt: timestamp("event_at", { withTimezone: true }).notNull(),
    voiceSeconds: integer("voice_seconds"),
    smsSegments: integer("sms_segments"),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: unmatchedStatuses }).notNull().default("open"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
    resolutionReason: text("resolution_reason"),
    assignedMappingId: uuid("assigned_mapping_id").references(() => tenantPhoneMappings.id),
    usageLogId: bigint("usage_log_id", { mode: "number" }),
  },
  (t) => [
    check("unmatched_usage_events_status", sql`${t.status} in ('open', 'assigned', 'dismissed')`),
    // Serves the unmatched inbox (open items, newest first) and its count in the navigation.
    index("unmatched_usage_events_status_idx").on(t.status, t.receivedAt.desc(), t.id.desc()),
    index("unmatched_usage_events_phone_idx").on(t.phoneNumber),
    // Waiting call legs: a leg's relative finds it by its own SID or by its parent's.
    index("unmatched_usage_events_provider_sid_idx").on(t.providerSid),
    index("unmatched_usage_events_parent_call_idx").on(t.parentCallSid).where(sql`${t.parentCallSid} is not null`),
  ],
);

export const usageAlerts = pgTable(
  "usage_alerts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    billingPeriodStart: date("billing_period_start").notNull(),
    metric: text("metric", { enum: alertMetrics }).notNull(),
    thresholdPercent: integer("threshold_percent").notNull(),
    usageValue: integer("usage_value").notNull(),
    allowance: integer("allowance").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Once per threshold per period, even under concurrent events.
    unique("usage_alerts_once_key").on(t.tenantId, t.billingPeriodStart, t.metric, t.thresholdPercent),
    check("usage_alerts_metric", sql`${t.metric} in ('voice_minutes', 'sms')`),
  ],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lower-cased.
    email: text("email").notNull().unique("users_email_key"),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: userRoles }).notNull(),
    tenantId: text("tenant_id").references(() => tenants.id),
    createdAt: createdAt(),
  },
  (t) => [
    check("users_role", sql`${t.role} in ('ops', 'tenant')`),
    // A tenant user is bound to exactly one tenant; an ops user to none.
    check("users_tenant_binding", sql`(${t.role} = 'tenant') = (${t.tenantId} is not null)`),
  ],
);

export const signInAttempts = pgTable("sign_in_attempts", {
  // The lower-cased email tried (whether or not such a user exists: no enumeration by timing of locks).
  email: text("email").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    // sha256 of the key; the key itself is shown once and never stored.
    keyHash: text("key_hash").notNull().unique("api_keys_key_hash_key"),
    // First characters of the key, to recognise it in the console.
    keyPrefix: text("key_prefix").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
);

// The SQL function files of db/functions/ applied to this database, with each file's sha256: the
// migration runner (db/migrate.ts) re-applies a file whose checksum changed.
export const billingFunctionFiles = pgTable("billing_function_files", {
  name: text("name").primaryKey(),
  checksum: text("checksum").notNull(),
  appliedAt: timestamp("applied_at", { withTimezone: true }).notNull().defaultNow(),
});

// ---- Pricing (lib/pricing): price plans with their history, the class of each number for its monthly
// fee, and final invoices stored as they were finalized. Drafts are never stored: they are computed from
// the counters (db/functions/80-pricing.sql). Money is numeric with a fixed scale (6 decimals) for
// prices, integer cents for amounts: never floating point.
export const pricedMetrics = [
  "voice_inbound_minutes",
  "voice_outbound_minutes",
  "sms_inbound_segments",
  "sms_outbound_segments",
  "mms_inbound_messages",
  "mms_outbound_messages",
  "whatsapp_inbound_messages",
  "whatsapp_outbound_messages",
] as const;
export type PricedMetric = (typeof pricedMetrics)[number];
export const numberClasses = ["local", "toll_free"] as const;
export type NumberClass = (typeof numberClasses)[number];
export const invoiceLineKinds = ["usage", "number_fee", "late_usage"] as const;

const price = (name: string) => numeric(name, { precision: 18, scale: 6 });
const metricList = pricedMetrics.map((m) => `'${m}'`).join(", ");

// Every PUT of a tenant's plan is a new version; the plan of a period is the latest version whose
// effective_from (the first day of the period in which it was made) is on or before the period's start.
export const pricePlans = pgTable(
  "price_plans",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    effectiveFrom: date("effective_from").notNull(),
    currency: text("currency").notNull(),
    numberFeeLocal: price("number_fee_local").notNull(),
    numberFeeTollFree: price("number_fee_toll_free").notNull(),
    createdAt: createdAt(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [
    check("price_plans_currency", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("price_plans_period_start", sql`extract(day from ${t.effectiveFrom}) = 1`),
    check("price_plans_fees_non_negative", sql`${t.numberFeeLocal} >= 0 and ${t.numberFeeTollFree} >= 0`),
    index("price_plans_tenant_idx").on(t.tenantId, t.effectiveFrom.desc(), t.id.desc()),
  ],
);

// The metrics a plan version prices (a metric without a row is not billed).
export const pricePlanCharges = pgTable(
  "price_plan_charges",
  {
    planId: bigint("plan_id", { mode: "number" }).notNull().references(() => pricePlans.id),
    metric: text("metric", { enum: pricedMetrics }).notNull(),
    unitPrice: price("unit_price").notNull(),
    included: bigint("included", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.metric] }),
    check("price_plan_charges_metric", sql.raw(`metric in (${metricList})`)),
    check("price_plan_charges_non_negative", sql`${t.unitPrice} >= 0 and ${t.included} >= 0`),
  ],
);

// A number's class for its monthly fee, from the number itself (libphonenumber-js's number type:
// TOLL_FREE is toll_free, anything else local). Filled by lib/pricing before it prices numbers.
export const phoneNumberClasses = pgTable(
  "phone_number_classes",
  {
    phoneNumber: text("phone_number").primaryKey(),
    numberClass: text("number_class", { enum: numberClasses }).notNull(),
    classifiedAt: timestamp("classified_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("phone_number_classes_class", sql`${t.numberClass} in ('local', 'toll_free')`)],
);

// A final invoice, exactly as it was finalized: it is never updated, and every read of it returns these
// rows. At most one per tenant and period.
export const finalInvoices = pgTable(
  "final_invoices",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    periodStart: date("period_start").notNull(),
    planId: bigint("plan_id", { mode: "number" }).notNull().references(() => pricePlans.id),
    currency: text("currency").notNull(),
    totalCents: bigint("total_cents", { mode: "number" }).notNull(),
    finalizedAt: timestamp("finalized_at", { withTimezone: true }).notNull().defaultNow(),
    finalizedBy: text("finalized_by").notNull(),
  },
  (t) => [
    unique("final_invoices_tenant_period_key").on(t.tenantId, t.periodStart),
    check("final_invoices_period_start", sql`extract(day from ${t.periodStart}) = 1`),
  ],
);

export const finalInvoiceLines = pgTable(
  "final_invoice_lines",
  {
    invoiceId: bigint("invoice_id", { mode: "number" }).notNull().references(() => finalInvoices.id),
    position: integer("position").notNull(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    kind: text("kind", { enum: invoiceLineKinds }).notNull(),
    code: text("code").notNull(),
    description: text("description").notNull(),
    // The period the line bills: the invoice's own, or for a late-usage line the final period it corrects.
    linePeriod: date("line_period").notNull(),
    quantity: bigint("quantity", { mode: "number" }).notNull(),
    included: bigint("included", { mode: "number" }).notNull(),
    billable: bigint("billable", { mode: "number" }).notNull(),
    unitPrice: numeric("unit_price", { precision: 20, scale: 6 }).notNull(),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.invoiceId, t.position] }),
    check("final_invoice_lines_kind", sql`${t.kind} in ('usage', 'number_fee', 'late_usage')`),
    // Serves the late-usage rule: what was billed for a period after it was finalized.
    index("final_invoice_lines_late_idx").on(t.tenantId, t.linePeriod).where(sql`${t.kind} = 'late_usage'`),
  ],
);

// Reconciliation with Twilio's REST API (lib/twilio/reconciliation/, the rule in
// db/functions/82-reconciliation.sql): one row per run of one account and period, its progress kept in
// the same transactions as the ledger writes it made, its drift against Twilio's Usage Records and the
// account's number inventory once it has finished.
export const reconciliationRunStatuses = ["running", "succeeded", "failed"] as const;
export type ReconciliationRunStatus = (typeof reconciliationRunStatuses)[number];

export const reconciliationRuns = pgTable(
  "reconciliation_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    accountSid: text("account_sid").notNull(),
    // YYYY-MM: the billing period, in each tenant's own time zone.
    period: text("period").notNull(),
    status: text("status", { enum: reconciliationRunStatuses }).notNull().default("running"),
    // 'user:<email>', 'cli:<os user>', 'seed'.
    startedBy: text("started_by").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    // The instants read from Twilio: the period in every tenant's time zone, widened to whole GMT days.
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    pagesRead: integer("pages_read").notNull().default(0),
    recordsRead: integer("records_read").notNull().default(0),
    // Billed by Twilio and missing from the ledger: counted now.
    recordsCounted: integer("records_counted").notNull().default(0),
    // In the ledger with another billable quantity: a correction posted.
    recordsCorrected: integer("records_corrected").notNull().default(0),
    // No mapping covered the number at the time: kept in (or already in) the unmatched inbox.
    recordsUnmatched: integer("records_unmatched").notNull().default(0),
    recordsAlreadyCounted: integer("records_already_counted").notNull().default(0),
    // Failed, canceled, busy, no-answer, not yet sent...: Twilio bills nothing.
    recordsNotBilled: integer("records_not_billed").notNull().default(0),
    // Of another period in their owner's time zone (the window is wider than any one tenant's month).
    recordsOutsidePeriod: integer("records_outside_period").notNull().default(0),
    // Records whose fields the callback parsers could not read: kept in the unmatched inbox with the reason.
    recordsUnreadable: integer("records_unreadable").notNull().default(0),
    drift: jsonb("drift"),
    inventory: jsonb("inventory"),
    error: text("error"),
  },
  (t) => [
    check("reconciliation_runs_status", sql`${t.status} in ('running', 'succeeded', 'failed')`),
    check("reconciliation_runs_period", sql`${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    index("reconciliation_runs_started_idx").on(t.startedAt.desc(), t.id.desc()),
    index("reconciliation_runs_account_period_idx").on(t.accountSid, t.period, t.startedAt.desc()),
  ],
);

// What Twilio charged for each billed call and message (its REST API's price and price_unit: the cost
// side of a margin report), keyed by the event's idempotency key: the key of its usage log entry, or of
// its unmatched inbox item until ops assign it. Written by reconciliation only.
export const twilioUsageCosts = pgTable("twilio_usage_costs", {
  idempotencyKey: text("idempotency_key").primaryKey(),
  accountSid: text("account_sid"),
  providerSid: text("provider_sid").notNull(),
  // Twilio's decimal string as it gave it (negative: a charge).
  price: numeric("price", { precision: 16, scale: 6 }).notNull(),
  priceUnit: text("price_unit").notNull(),
  // The run that recorded the price (no foreign key: a million rows a run, each checked, for a column
  // read only to say which run it was).
  reconciliationRunId: bigint("reconciliation_run_id", { mode: "number" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
