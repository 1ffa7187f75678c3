/** What grouping keeps of one incident: its members and the first and last day they were published. */
interface Span {
  members: string[];
  first: number | null;
  last: number | null;
}

const widen = (s: { first: number | null; last: number | null }, day: number | null) => ({
  first: day === null ? s.first : s.first === null ? day : Math.min(s.first, day),
  last: day === null ? s.last : s.last === null ? day : Math.max(s.last, day),
});

/**
 * Incidents as grouping sees them, kept up to date as articles join and incidents merge, so a decision
 * never re-reads every member of a large incident.
 */
export class Incidents {
  readonly incidentOf = new Map<string, string>();
  private spans = new Map<string, Span>();

  /** `day`: days since 1970 of the article's publication, if known. */
  join(incidentId: string, articleId: string, day: number | null): void {
    const s = this.spans.get(incidentId) ?? { members: [], first: null, last: null };
    s.members.push(articleId);
    this.spans.set(incidentId, { ...s, ...widen(s, day) });
    this.incidentOf.set(articleId, incidentId);
  }

  /** Moves `drop`'s members into `keep`. */
  merge(keep: string, drop: string): void {
    const k = this.spans.get(keep)!,
      d = this.spans.get(drop)!;
    for (const id of d.members) this.incidentOf.set(id, keep);
    k.members.push(...d.members);
    this.spans.set(keep, { ...k, ...widen(widen(k, d.first), d.last) });
    this.spans.delete(drop);
  }

  /** Days from first to last publication of these incidents together with an article of this day. */
  span(incidentIds: readonly string[], day: number | null): number {
    let range = { first: day, last: day };
    for (const id of incidentIds) {
      const s = this.spans.get(id)!;
      range = widen(widen(range, s.first), s.last);
    }
    return range.first === null || range.last === null ? 0 : range.last - range.first;
  }
}
