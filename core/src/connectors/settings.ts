import { z } from 'zod';

/** Host-side settings of a connector (not the plugin's config): delivery pacing, retries, mapping overrides. */
export const connectorSettingsSchema = z
  .object({
    retry: z
      .object({
        /** Attempts before dead-lettering, the first included. */
        maxAttempts: z.number().int().min(1).max(100).default(8),
        /** First backoff ceiling; doubles per attempt (full jitter picks in [0, ceiling]). */
        baseDelayMs: z.number().int().min(0).default(120_000),
        /** Largest single backoff. */
        maxDelayMs: z.number().int().min(0).default(2 * 60 * 60 * 1000),
      })
      .strict()
      .prefault({}),
    /** Calls in flight at once for this connector. */
    concurrency: z.number().int().min(1).max(256).default(4),
    /** Most calls per second (omitted: no limit). */
    rateLimitPerSecond: z.number().positive().optional(),
    /** Per-call timeout for the plugin's fetch. */
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    /** Pull sources: how often the host reads every stream (`weft connectors sync` runs them at once whatever this says). */
    pull: z
      .object({
        /** Seconds from the end of one run of a stream to the start of the next. */
        intervalSeconds: z.number().int().min(1).max(7 * 24 * 60 * 60).default(300),
        /** `false` stops the schedule; a manual sync still runs. */
        enabled: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Per-action overrides: JSONata `mapping` and `filter`, batch size. */
    actions: z
      .record(
        z.string(),
        z
          .object({
            mapping: z.string().min(1).optional(),
            filter: z.string().min(1).optional(),
            maxItems: z.number().int().min(1).optional(),
            enabled: z.boolean().default(true),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

export type ConnectorSettings = z.output<typeof connectorSettingsSchema>;
export type ConnectorSettingsInput = z.input<typeof connectorSettingsSchema>;
