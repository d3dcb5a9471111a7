ALTER TABLE "connectors" ADD COLUMN "managed_by" text;--> statement-breakpoint
ALTER TABLE "pipelines" ADD COLUMN "managed_by" text;