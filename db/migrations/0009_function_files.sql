CREATE TABLE "billing_function_files" (
	"name" text PRIMARY KEY NOT NULL,
	"checksum" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Two helpers no function calls any more (their rules live in billing_usage_events).
DROP FUNCTION IF EXISTS billing_event_time(jsonb, text[]);
--> statement-breakpoint
DROP FUNCTION IF EXISTS billing_metadata_object(jsonb, text);
