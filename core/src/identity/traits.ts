import { z } from 'zod';
import type { TraitSource } from '../db/schema/index.js';

/**
 * Source precedence for traits: a value from a source listed earlier beats one from a source
 * listed later (or not at all), whatever their times. Without a rule, the latest event wins.
 */
export const traitPrecedenceSchema = z.array(
  z
    .object({
      /** Traits the rule covers; omitted: every trait. */
      traits: z.array(z.string().min(1)).optional(),
      /** Source connector ids, highest precedence first. */
      sources: z.array(z.string().min(1)).min(1),
    })
    .strict(),
);
export type TraitPrecedence = z.output<typeof traitPrecedenceSchema>;

/**
 * The source connector ids the rules name, each with its path below `path`: what must exist for the
 * rules to mean anything (the API and `weft apply` both refuse ids that do not).
 *
 * @example
 * precedenceSources([{ sources: ['crm', 'web'] }], 'traitPrecedence') // [['crm', 'traitPrecedence.0.sources.0'], ['web', 'traitPrecedence.0.sources.1']]
 */
export function precedenceSources(precedence: TraitPrecedence, path: string): Array<[id: string, path: string]> {
  return precedence.flatMap((rule, i) => rule.sources.map((id, j): [string, string] => [id, `${path}.${i}.sources.${j}`]));
}

export interface ProfileTraits {
  traits: Record<string, unknown>;
  traitSources: Record<string, TraitSource>;
}

/** Decides, per trait, whether a new write beats the current one (last write wins, unless precedence says otherwise). */
export class TraitRules {
  constructor(private readonly precedence: TraitPrecedence = []) {}

  #rank(trait: string, source: string): number {
    for (const rule of this.precedence) {
      if (rule.traits && !rule.traits.includes(trait)) continue;
      const index = rule.sources.indexOf(source);
      return index === -1 ? rule.sources.length : index;
    }
    return 0;
  }

  /** True when `incoming` should replace `current` for `trait`. */
  wins(trait: string, incoming: TraitSource, current: TraitSource | undefined): boolean {
    if (!current) return true;
    const rankIncoming = this.#rank(trait, incoming.source);
    const rankCurrent = this.#rank(trait, current.source);
    if (rankIncoming !== rankCurrent) return rankIncoming < rankCurrent;
    if (incoming.at !== current.at) return incoming.at > current.at;
    return (incoming.eventId ?? 0) >= (current.eventId ?? 0);
  }

  /** Applies one event's traits to a profile's, in place; returns whether anything changed. */
  apply(target: ProfileTraits, traits: Record<string, unknown>, source: TraitSource): boolean {
    let changed = false;
    for (const [trait, value] of Object.entries(traits)) {
      if (!this.wins(trait, source, target.traitSources[trait])) continue;
      target.traits[trait] = value;
      target.traitSources[trait] = source;
      changed = true;
    }
    return changed;
  }

  /** Folds another profile's traits into `target` (a merge), trait by trait. */
  merge(target: ProfileTraits, other: ProfileTraits): void {
    for (const [trait, source] of Object.entries(other.traitSources)) {
      if (this.wins(trait, source, target.traitSources[trait])) {
        target.traits[trait] = other.traits[trait];
        target.traitSources[trait] = source;
      }
    }
  }
}
