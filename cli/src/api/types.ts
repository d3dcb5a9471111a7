/**
 * The shapes the admin API answers with (docs/api.md). They are the server's own types, not copies:
 * `AdminAnswers` from `@weft/core` is the `z.output` of each route's response schema, imported as
 * types only, so they leave no import in the built JavaScript. A field renamed or retyped on the server
 * fails this package's build wherever the CLI reads it. Whole answers are `AdminAnswers.<Route>`
 * (`client.get<AdminAnswers.ConnectorList>('/connectors')`); below are the parts the CLI passes around.
 */

import type { AdminAnswers } from '@weft/core';

export type { AdminAnswers };

export type PluginComponentInfo = AdminAnswers.Plugin['components'][number];

/** How the CLI reads a component's `configSchema`, which the server types as any JSON object. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  writeOnly?: boolean;
  [key: string]: unknown;
}

export type PipelineView = AdminAnswers.Pipeline;
export type EventView = AdminAnswers.Event;
export type DeliveryView = AdminAnswers.Delivery;
export type DeliveryAttempt = DeliveryView['history'][number];
export type PlanStep = AdminAnswers.ApplyResult['plan'][number];

// ---------------------------------------------------------------- identity (docs/identity.md, docs/api.md)

export type Profile = AdminAnswers.Profile;
/** `GET /profiles/:id` and `GET /profiles?identifier=`: `redirectedFrom` when the id was merged away. */
export type ProfileLookup = AdminAnswers.ProfileLookup;
export type TimelineEvent = AdminAnswers.TimelineEvent;
export type Explanation = AdminAnswers.Explanation;
/** A typed identifier as the API shows it; `scope` is the namespace of per-app types (a WeChat app id). */
export type IdentifierView = Explanation['links'][number]['from'];
export type IdentifierType = AdminAnswers.IdentifierType;
/** A probabilistic match waiting for (or past) a person's decision; `fields` as the resolver scored them. */
export type Review = AdminAnswers.Review;
export type MatchRun = AdminAnswers.MatchRun;
