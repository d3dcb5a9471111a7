-- Room on each page for the identity stage's updates (an identity's last seen, a profile's traits
-- and counters) to stay on the same page as heap-only tuples: no new index entries per update.
ALTER TABLE "identities" SET (fillfactor = 90);--> statement-breakpoint
ALTER TABLE "profiles" SET (fillfactor = 80);
