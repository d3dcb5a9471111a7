CREATE INDEX "identity_reviews_a_idx" ON "identity_reviews" USING btree ("profile_a");--> statement-breakpoint
CREATE INDEX "identity_reviews_b_idx" ON "identity_reviews" USING btree ("profile_b");--> statement-breakpoint
-- Open reviews that name a profile merged away since they were queued move into its live profile,
-- as merges from now on do (moveReviews in core/src/identity/reviews.ts): a rejected one before an
-- accepted one before a pending one keeps a pair that two reviews would name, then the oldest; a
-- pending one whose two profiles are now one is closed as accepted by the merge.
CREATE TEMPORARY TABLE "review_moves" ON COMMIT DROP AS
WITH RECURSIVE "chain" ("start", "current") AS (
  SELECT "id", "merged_into" FROM "profiles"
  WHERE "merged_into" IS NOT NULL AND "id" IN (SELECT "profile_a" FROM "identity_reviews" WHERE "status" <> 'accepted' UNION SELECT "profile_b" FROM "identity_reviews" WHERE "status" <> 'accepted')
  UNION ALL
  SELECT c."start", p."merged_into" FROM "chain" c JOIN "profiles" p ON p."id" = c."current" WHERE p."merged_into" IS NOT NULL
)
SELECT c."start" AS "loser", c."current" AS "survivor" FROM "chain" c JOIN "profiles" p ON p."id" = c."current" WHERE p."merged_into" IS NULL;
--> statement-breakpoint
CREATE TEMPORARY TABLE "review_moved" ON COMMIT DROP AS
SELECT r."id", r."resolver", r."status",
  least(coalesce(ma."survivor", r."profile_a"), coalesce(mb."survivor", r."profile_b")) AS "a",
  greatest(coalesce(ma."survivor", r."profile_a"), coalesce(mb."survivor", r."profile_b")) AS "b"
FROM "identity_reviews" r
LEFT JOIN "review_moves" ma ON ma."loser" = r."profile_a"
LEFT JOIN "review_moves" mb ON mb."loser" = r."profile_b"
WHERE r."status" <> 'accepted' AND (ma."loser" IS NOT NULL OR mb."loser" IS NOT NULL);
--> statement-breakpoint
DELETE FROM "identity_reviews" WHERE "id" IN (
  SELECT "id" FROM (
    SELECT "id", row_number() OVER (PARTITION BY "resolver", "a", "b" ORDER BY CASE "status" WHEN 'rejected' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END, "id") AS "n"
    FROM (
      SELECT "id", "resolver", "status", "a", "b" FROM "review_moved" WHERE "a" <> "b"
      UNION ALL
      SELECT r."id", r."resolver", r."status", r."profile_a", r."profile_b" FROM "identity_reviews" r
      JOIN (SELECT DISTINCT "resolver", "a", "b" FROM "review_moved" WHERE "a" <> "b") m ON r."resolver" = m."resolver" AND r."profile_a" = m."a" AND r."profile_b" = m."b"
    ) "contenders"
  ) "ranked" WHERE "n" > 1
);
--> statement-breakpoint
UPDATE "identity_reviews" r SET "profile_a" = m."a", "profile_b" = m."b"
FROM "review_moved" m WHERE r."id" = m."id" AND m."a" <> m."b";
--> statement-breakpoint
UPDATE "identity_reviews" r SET "status" = 'accepted', "decided_at" = now(), "decided_by" = '(merge)'
FROM "review_moved" m WHERE r."id" = m."id" AND m."a" = m."b" AND r."status" = 'pending';
