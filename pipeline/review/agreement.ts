import { TAXONOMY } from '../../schemas/index.ts';
import type { ReviewDecision } from '../../schemas/review.ts';
import { sameSet } from './targets.ts';

export interface DimensionAgreement {
  dimension: string;
  title: string;
  reviewed: number;
  agreed: number;
  /** agreed / reviewed, or null with nothing reviewed. */
  rate: number | null;
}

export interface Agreement {
  dimensions: DimensionAgreement[];
  labels: { reviewed: number; agreed: number; rate: number | null };
  facts: { reviewed: number; accepted: number; changed: number; unsupported: number };
  reviewers: string[];
  decisions: number;
}

/**
 * Model versus reviewer, per dimension: a reviewed label agrees when the reviewer's options are the
 * very options the model gave (the snapshot the decision was made against), whatever the action.
 */
export function agreement(latest: readonly ReviewDecision[], all: readonly ReviewDecision[]): Agreement {
  const labelDecisions = latest.filter((d) => d.kind === 'label' && d.options && d.snapshot?.options);
  const dimensions = TAXONOMY.map((dim) => {
    const ds = labelDecisions.filter((d) => d.target === dim.key);
    const agreed = ds.filter((d) => sameSet(d.options!, d.snapshot!.options!)).length;
    return { dimension: dim.key, title: dim.title, reviewed: ds.length, agreed, rate: ds.length ? agreed / ds.length : null };
  });
  const reviewed = dimensions.reduce((n, d) => n + d.reviewed, 0),
    agreed = dimensions.reduce((n, d) => n + d.agreed, 0);
  const facts = latest.filter((d) => d.kind === 'fact');
  return {
    dimensions,
    labels: { reviewed, agreed, rate: reviewed ? agreed / reviewed : null },
    facts: {
      reviewed: facts.length,
      accepted: facts.filter((d) => d.action === 'accept' || (d.action === 'change' && d.text === d.snapshot?.text)).length,
      changed: facts.filter((d) => d.action === 'change' && d.text !== d.snapshot?.text).length,
      unsupported: facts.filter((d) => d.action === 'unknown').length,
    },
    reviewers: [...new Set(all.map((d) => d.reviewer))].sort(),
    decisions: all.length,
  };
}
