CREATE TABLE "identity_separations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"profile_a" text NOT NULL,
	"profile_b" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "identity_separations_a_idx" ON "identity_separations" USING btree ("profile_a");--> statement-breakpoint
CREATE INDEX "identity_separations_b_idx" ON "identity_separations" USING btree ("profile_b");