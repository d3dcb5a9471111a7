import { boolean, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export interface PipelineSpec {
  sources: string[];
  transforms: Array<{ connector: string; onError: 'fail' | 'skip-step' | 'drop' }>;
  destinations: Array<{ connector: string; actions?: string[] }>;
}

/** Source connector(s) → ordered transforms → destination connectors/actions. */
export const pipelines = pgTable('pipelines', {
  id: text('id').primaryKey(),
  description: text('description'),
  spec: jsonb('spec').$type<PipelineSpec>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** `apply` when `weft apply` created it, so a later apply may delete it once it leaves the file. */
  managedBy: text('managed_by'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
