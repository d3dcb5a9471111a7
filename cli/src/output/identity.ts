import type { FieldContribution } from '@weft/plugin-sdk';
import type { AdminAnswers, IdentifierView, Profile, ProfileLookup, TimelineEvent } from '../api/types.js';
import { formatTime, plural, truncate } from './format.js';
import { renderFields, renderTable } from './table.js';

/**
 * An identifier as it is typed on the command line.
 *
 * @example
 * formatIdentifier({ type: 'wechat_openid', scope: 'wxAPP', value: 'oOPENID' }) // 'wechat_openid:wxAPP:oOPENID'
 */
export function formatIdentifier(identifier: IdentifierView): string {
  return [identifier.type, identifier.scope, identifier.value].filter((part) => part !== null && part !== undefined).join(':');
}

/** One line saying a merged-away id was followed, or nothing. */
export function describeRedirect(lookup: ProfileLookup): string | undefined {
  return lookup.redirectedFrom ? `Profile ${lookup.redirectedFrom} was merged into ${lookup.profile.id}; showing ${lookup.profile.id}.` : undefined;
}

/** A profile's summary fields, its identities and its traits (with where each came from). */
export function renderProfile(profile: Profile): string {
  const summary = renderFields([
    ['Profile', profile.id],
    ['First seen', formatTime(profile.firstSeenAt)],
    ['Last seen', formatTime(profile.lastSeenAt)],
    ['Events', profile.eventCount],
  ]);
  return [summary, `Identities (${profile.identities.length}):\n${renderIdentities(profile)}`, `Traits (${Object.keys(profile.traits).length}):\n${renderTraits(profile)}`].join('\n\n');
}

export function renderIdentities(profile: Pick<Profile, 'identities'>): string {
  if (profile.identities.length === 0) return '  (none)';
  return renderTable(profile.identities, [
    { header: 'IDENTIFIER', value: formatIdentifier },
    { header: 'FIRST SEEN', value: (i) => formatTime(i.firstSeenAt) },
    { header: 'LAST SEEN', value: (i) => formatTime(i.lastSeenAt) },
  ]);
}

function renderTraits(profile: Profile): string {
  const traits = Object.entries(profile.traits).sort(([a], [b]) => a.localeCompare(b));
  if (traits.length === 0) return '  (none)';
  return renderTable(traits, [
    { header: 'TRAIT', value: ([name]) => name },
    { header: 'VALUE', value: ([, value]) => truncate(typeof value === 'string' ? value : JSON.stringify(value), 60) },
    { header: 'SOURCE', value: ([name]) => profile.traitSources[name]?.source },
    { header: 'EVENT', value: ([name]) => profile.traitSources[name]?.eventId },
    { header: 'SET AT', value: ([name]) => formatTime(profile.traitSources[name]?.at) },
  ]);
}

/** A profile's recent events, in the order the API gives them (newest first). */
export function renderTimeline(events: TimelineEvent[]): string {
  if (events.length === 0) return '  (no events)';
  return renderTable(events, [
    { header: 'TIME', value: (e) => formatTime(e.occurredAt) },
    { header: 'EVENT ID', value: (e) => e.eventId },
    { header: 'TYPE', value: (e) => e.type },
    { header: 'EVENT', value: (e) => e.event },
    { header: 'SOURCE', value: (e) => e.sourceId },
    { header: 'MESSAGE ID', value: (e) => e.messageId },
  ]);
}

/** A profile on one line: `p_1: email:ada@example.com, user_id:u1 (2 identities)`. */
export function describeProfileBriefly(profile: Profile): string {
  const identities = profile.identities.map(formatIdentifier).join(', ') || 'no identities';
  return `${profile.id}: ${identities} (${plural(profile.identities.length, 'identity', 'identities')})`;
}

/**
 * A probability as a percentage with one decimal, or as many more as it takes not to round a value
 * below 1 up to `100.0%` (or one above 0 down to `0.0%`): a pair under the link threshold must not
 * read as certain.
 *
 * @example
 * formatProbability(0.875)    // '87.5%'
 * formatProbability(0.999999) // '99.9999%'
 */
export function formatProbability(probability: number): string {
  const percent = probability * 100;
  for (let decimals = 1; decimals <= maxDecimals; decimals++) {
    const text = percent.toFixed(decimals);
    const rounded = Number(text);
    if ((rounded < 100 || probability >= 1) && (rounded > 0 || probability <= 0)) return `${text}%`;
  }
  return probability >= 0.5 ? `>${(100 - 10 ** -maxDecimals).toFixed(maxDecimals)}%` : `<${(10 ** -maxDecimals).toFixed(maxDecimals)}%`;
}

const maxDecimals = 10;

/**
 * The fields that moved a match score most, strongest first, with their weight in bits. Fields that
 * weighed nothing (no value on either side) are left out; `no field contributed` when none did.
 *
 * @example
 * describeTopFields(review.fields) // 'email +7.2, last_name +3.1, city -1.4'
 */
export function describeTopFields(fields: FieldContribution[], count = 3): string {
  const contributing = fields.filter((field) => field.weight !== 0);
  if (contributing.length === 0) return 'no field contributed';
  return contributing
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, count)
    .map((field) => `${field.field} ${field.weight > 0 ? '+' : ''}${formatWeight(field.weight)}`)
    .join(', ');
}

/** One decimal, or one significant digit for a weight that small (`0.03`), so no contributing field reads `+0.0`. */
function formatWeight(weight: number): string {
  return Math.abs(weight) >= 0.05 ? weight.toFixed(1) : weight.toPrecision(1);
}

/** An identifier type's per-profile limit: `1`, or `none`. */
export function describeLimit(limit: number | null): string {
  return limit === null ? 'none' : String(limit);
}

/**
 * The warning for a change that removed a type's default blocked values or patterns (they stop
 * protecting against placeholders and shared addresses), or nothing when it removed none.
 *
 * @example
 * describeDroppedDefaults('phone', { blocked: [], blockedPatterns: ['^\\+\\d{1,3}(\\d)\\1{6,}$'] })
 * // 'Warning: identifier type phone no longer blocks its default pattern ^\+\d{1,3}(\d)\1{6,}$.'
 */
export function describeDroppedDefaults(type: string, dropped: AdminAnswers.IdentifierTypeDetail['droppedDefaults'] | undefined): string | undefined {
  if (!dropped) return undefined;
  const describe = (list: string[], word: string) => (list.length === 1 ? `its default ${word} ${list[0]}` : `${list.length} of its default ${word}s (${list.join(', ')})`);
  const parts = [dropped.blocked.length > 0 && describe(dropped.blocked, 'value'), dropped.blockedPatterns.length > 0 && describe(dropped.blockedPatterns, 'pattern')].filter(Boolean);
  if (parts.length === 0) return undefined;
  return `Warning: identifier type ${type} no longer blocks ${parts.join(' and ')}.`;
}
