-- An identifier an event attaches to a profile carries that link on its own row; links and
-- identities share one sequence, so an attach link's id is its identity's and no id is both.
ALTER TABLE "identities" ADD COLUMN "attached_to_id" bigint;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "attached_event_id" bigint;--> statement-breakpoint
SELECT setval('identities_id_seq', greatest(coalesce((SELECT max("id") FROM "identities"), 0), coalesce((SELECT max("id") FROM "identity_links"), 0), 1));--> statement-breakpoint
ALTER TABLE "identity_links" ALTER COLUMN "id" SET DEFAULT nextval('identities_id_seq');--> statement-breakpoint
DROP SEQUENCE IF EXISTS "identity_links_id_seq";
