import type { GoldKind } from './gold.ts';

/**
 * FAIL's published merging scores (ASE 2024; ../shared/reference/fail-pipeline.md). The gold files
 * carry FAIL's answers for screening, postmortems and taxonomy, but not its grouping, so grouping is
 * set beside these published figures instead. They were measured on FAIL's own gold sets (45 articles
 * / 31 incidents; Ko's 536 articles / 86 stories), not on this split: context, not a paired comparison.
 */
export interface PublishedGrouping {
  source: string;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

export function publishedGrouping(kind: GoldKind): PublishedGrouping | null {
  if (kind === 'fail') return { source: 'FAIL paper: 45 articles, 31 incidents', homogeneity: 0.969, completeness: 1.0, vMeasure: 0.984 };
  if (kind === 'ko')
    return { source: 'FAIL paper: Ko et al., 536 articles, 86 stories', homogeneity: 0.978, completeness: 0.929, vMeasure: 0.953 };
  return null;
}
