import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import { profilePath } from '../../api/paths.js';
import { lookupProfile } from '../../api/profiles.js';
import type { AdminAnswers, TimelineEvent } from '../../api/types.js';
import { plural } from '../../output/format.js';
import { describeRedirect, renderProfile, renderTimeline } from '../../output/identity.js';
import { nameArg } from '../../input/args.js';

export default class ProfilesGet extends ApiCommand<typeof ProfilesGet> {
  static override summary = 'Show a profile: when it was seen, its identities and its traits with where each came from.';
  static override description =
    'Name the profile by its id or by any identifier it holds (type:value, or type:scope:value for scoped types); the value is normalised by the server, so email:Ada@Example.COM finds ada@example.com. An id that was merged away shows the surviving profile. --events adds the most recent events of its timeline.';
  static override args = {
    profile: nameArg({ description: 'Profile id, or an identifier such as email:ada@example.com', expected: 'a profile id or an identifier such as email:ada@example.com', required: true }),
  };
  static override flags = {
    events: Flags.integer({ summary: 'Also show this many of the latest timeline events.', min: 1, max: 500 }),
  };
  static override examples = [
    '<%= config.bin %> profiles get email:ada@example.com',
    '<%= config.bin %> profiles get wechat_openid:wx5823bf96d3bd56c7:o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
    '<%= config.bin %> profiles get prf_5b1f0c1e-8d2a-4f4e-9a57-2c8e1d3b6a90 --events 20',
    '<%= config.bin %> profiles get user_id:u-42 --json',
  ];

  async run() {
    const lookup = await lookupProfile(this.client, this.args.profile);
    const events = this.flags.events === undefined ? undefined : await this.#latestEvents(lookup.profile.id, this.flags.events);
    const redirect = describeRedirect(lookup);
    if (redirect) this.log(redirect);
    this.log(renderProfile(lookup.profile));
    if (events) this.log(`\nLatest ${plural(events.length, 'event')} (newest first):\n${renderTimeline(events)}`);
    return { ...lookup, ...(events ? { events } : {}) };
  }

  async #latestEvents(profileId: string, limit: number): Promise<TimelineEvent[]> {
    const { events } = await this.client.get<AdminAnswers.TimelinePage>(profilePath(profileId, '/events'), { limit });
    return events;
  }
}
