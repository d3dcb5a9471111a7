CREATE TABLE "identifier_types" (
	"type" text PRIMARY KEY NOT NULL,
	"scoped" boolean DEFAULT false NOT NULL,
	"normalizer" text DEFAULT 'trim' NOT NULL,
	"max_per_profile" integer,
	"priority" integer DEFAULT 50 NOT NULL,
	"blocked" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"blocked_patterns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"value" text NOT NULL,
	"profile_id" text NOT NULL,
	"origin_profile_id" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_blocking_keys" (
	"resolver" text NOT NULL,
	"key" text NOT NULL,
	"profile_id" text NOT NULL,
	CONSTRAINT "identity_blocking_keys_resolver_key_profile_id_pk" PRIMARY KEY("resolver","key","profile_id")
);
--> statement-breakpoint
CREATE TABLE "identity_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"profile_id" text NOT NULL,
	"other_profile_id" text,
	"event_id" bigint,
	"rule" text,
	"confidence" real,
	"summary" text NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "identity_links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"from_identity_id" bigint NOT NULL,
	"to_identity_id" bigint NOT NULL,
	"rule" text NOT NULL,
	"confidence" real DEFAULT 1 NOT NULL,
	"event_id" bigint,
	"evidence" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_reason" text
);
--> statement-breakpoint
CREATE TABLE "identity_match_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"resolver" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"compared" integer DEFAULT 0 NOT NULL,
	"linked" integer DEFAULT 0 NOT NULL,
	"queued" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "identity_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"resolver" text NOT NULL,
	"profile_a" text NOT NULL,
	"profile_b" text NOT NULL,
	"probability" real NOT NULL,
	"weight" real NOT NULL,
	"fields" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text
);
--> statement-breakpoint
CREATE TABLE "identity_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_events" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"profile_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"identity_ids" jsonb NOT NULL,
	"traits" jsonb
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" text PRIMARY KEY NOT NULL,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trait_sources" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"event_count" integer DEFAULT 0 NOT NULL,
	"merged_into" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "identities_key_idx" ON "identities" USING btree ("type","scope","value");--> statement-breakpoint
CREATE INDEX "identities_profile_idx" ON "identities" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "identity_blocking_keys_profile_idx" ON "identity_blocking_keys" USING btree ("resolver","profile_id");--> statement-breakpoint
CREATE INDEX "identity_ledger_profile_idx" ON "identity_ledger" USING btree ("profile_id","id");--> statement-breakpoint
CREATE INDEX "identity_ledger_other_idx" ON "identity_ledger" USING btree ("other_profile_id");--> statement-breakpoint
CREATE INDEX "identity_links_from_idx" ON "identity_links" USING btree ("from_identity_id");--> statement-breakpoint
CREATE INDEX "identity_links_to_idx" ON "identity_links" USING btree ("to_identity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_reviews_pair_idx" ON "identity_reviews" USING btree ("resolver","profile_a","profile_b");--> statement-breakpoint
CREATE INDEX "identity_reviews_status_idx" ON "identity_reviews" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "profile_events_timeline_idx" ON "profile_events" USING btree ("profile_id","occurred_at","event_id");--> statement-breakpoint
CREATE INDEX "profiles_merged_into_idx" ON "profiles" USING btree ("merged_into") WHERE merged_into is not null;