import type { z } from 'zod';
import type { applyAnswer } from './apply.js';
import type { ingestAnswer } from './connector-events.js';
import type { connectorStatusAnswer, pullRunSchema } from './connector-status.js';
import type { syncAnswer } from './connector-sync.js';
import type { checkAnswer, connectorAnswer, connectorsAnswer, createdConnectorAnswer } from './connectors.js';
import type { deliveriesAnswer, replayAnswer } from './deliveries.js';
import type { eventsAnswer } from './events.js';
import type { acceptedReviewAnswer, matchRunAnswer, matchRunSchema, reviewAnswer, reviewSchema, reviewsAnswer } from './identity-matching.js';
import type { identifierTypeAnswer, identifierTypeSchema, identifierTypesAnswer } from './identity-types.js';
import type { pipelineAnswer, pipelinesAnswer } from './pipelines.js';
import type { pluginAnswer, pluginsAnswer } from './plugins.js';
import type { explanationAnswer, explanationSchema, mergeAnswer, profileAnswer, profileSchema, timelineAnswer, timelineEventSchema, unmergeAnswer } from './profiles.js';
import type { connectorViewSchema, deliveryViewSchema, eventViewSchema, pipelineViewSchema, pluginInfoSchema } from './schemas.js';

/**
 * What the admin routes answer, as types for clients in this workspace (`weft`, cli/src/api/types.ts).
 * Each is the `z.output` of the schema the route declares, the one `/openapi.json` documents and the
 * admin tests parse real answers with: a field renamed or retyped there fails the client's build
 * instead of its output. Types only, so a client importing them loads no server code.
 * A route gets its answer here when a client starts reading it.
 *
 * @example
 * import type { AdminAnswers } from '@weft/core';
 * const { connectors } = await client.get<AdminAnswers.ConnectorList>('/connectors');
 */

// The shapes `/openapi.json` names as components.
export type Plugin = z.output<typeof pluginInfoSchema>;
export type Connector = z.output<typeof connectorViewSchema>;
export type PullRun = z.output<typeof pullRunSchema>;
export type Pipeline = z.output<typeof pipelineViewSchema>;
export type Event = z.output<typeof eventViewSchema>;
export type Delivery = z.output<typeof deliveryViewSchema>;
export type Profile = z.output<typeof profileSchema>;
export type TimelineEvent = z.output<typeof timelineEventSchema>;
export type Explanation = z.output<typeof explanationSchema>;
export type IdentifierType = z.output<typeof identifierTypeSchema>;
export type Review = z.output<typeof reviewSchema>;
export type MatchRun = z.output<typeof matchRunSchema>;

// Whole answers, named after their route.
/** `GET /plugins` */
export type PluginList = z.output<typeof pluginsAnswer>;
/** `GET /plugins/:id`, `POST /plugins` */
export type PluginDetail = z.output<typeof pluginAnswer>;
/** `GET /connectors` */
export type ConnectorList = z.output<typeof connectorsAnswer>;
/** `POST /connectors` */
export type ConnectorCreated = z.output<typeof createdConnectorAnswer>;
/** `GET`/`PATCH /connectors/:id`, `POST /connectors/:id/enable` and `/disable` */
export type ConnectorDetail = z.output<typeof connectorAnswer>;
/** `POST /connectors/:id/test` */
export type ConnectorCheck = z.output<typeof checkAnswer>;
/** `GET /connectors/:id/status` */
export type ConnectorStatus = z.output<typeof connectorStatusAnswer>;
/** `POST /connectors/:id/sync` */
export type ConnectorSync = z.output<typeof syncAnswer>;
/** `POST /connectors/:id/events` */
export type IngestCounts = z.output<typeof ingestAnswer>;
/** `GET /pipelines` */
export type PipelineList = z.output<typeof pipelinesAnswer>;
/** `GET`/`PATCH /pipelines/:id`, `POST /pipelines` */
export type PipelineDetail = z.output<typeof pipelineAnswer>;
/** `GET /events` */
export type EventPage = z.output<typeof eventsAnswer>;
/** `GET /deliveries` */
export type DeliveryPage = z.output<typeof deliveriesAnswer>;
/** `POST /deliveries/replay` */
export type ReplayCounts = z.output<typeof replayAnswer>;
/** `GET /profiles?identifier=`, `GET /profiles/:id` */
export type ProfileLookup = z.output<typeof profileAnswer>;
/** `GET /profiles/:id/events` */
export type TimelinePage = z.output<typeof timelineAnswer>;
/** `GET /profiles/:id/explain` */
export type ExplanationDetail = z.output<typeof explanationAnswer>;
/** `POST /profiles/:id/merge` */
export type MergeResult = z.output<typeof mergeAnswer>;
/** `POST /profiles/:id/unmerge` */
export type UnmergeResult = z.output<typeof unmergeAnswer>;
/** `GET /identity/types` */
export type IdentifierTypeList = z.output<typeof identifierTypesAnswer>;
/** `PUT /identity/types/:type` */
export type IdentifierTypeDetail = z.output<typeof identifierTypeAnswer>;
/** `GET /identity/reviews` */
export type ReviewPage = z.output<typeof reviewsAnswer>;
/** `POST /identity/reviews/:id/accept` */
export type ReviewAccepted = z.output<typeof acceptedReviewAnswer>;
/** `POST /identity/reviews/:id/reject` */
export type ReviewDetail = z.output<typeof reviewAnswer>;
/** `POST /identity/resolvers/:connectorId/runs`, `GET /identity/runs/:id` */
export type MatchRunDetail = z.output<typeof matchRunAnswer>;
/** `POST /apply` */
export type ApplyResult = z.output<typeof applyAnswer>;
