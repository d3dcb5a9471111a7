-- The event log becomes append-only: an event's place in the pipeline moves to a narrow queue table.
CREATE TABLE "event_queue" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"failed_at" timestamp with time zone
);
--> statement-breakpoint
-- Claims rewrite a queued row a few times (lease, attempts): room on its page keeps those heap-only.
ALTER TABLE "event_queue" SET (fillfactor = 50);--> statement-breakpoint
-- Where each event not yet done stands moves to the queue; done events need no row there.
INSERT INTO "event_queue" ("event_id", "state", "lease_until", "attempts", "error", "failed_at")
SELECT "id", "state", "lease_until", "attempts", "error", CASE WHEN "state" = 'failed' THEN "processed_at" END FROM "events" WHERE "state" <> 'done';--> statement-breakpoint
DROP INDEX "events_pending_idx";--> statement-breakpoint
CREATE INDEX "event_queue_pending_idx" ON "event_queue" USING btree ("event_id") WHERE state = 'pending';--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "state";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "lease_until";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "attempts";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "error";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "processed_at";