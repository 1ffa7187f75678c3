import { z } from 'zod';
import { Postmortem } from './postmortem.ts';
import { TaxonomyLabel, Provenance } from './label.ts';

export const Incident = z.object({
  id: z.string(),
  articleIds: z.array(z.string()).min(1),
  /** Earliest published date among its articles. */
  published: z.string().nullable(),
});
export type Incident = z.infer<typeof Incident>;

/** The finished record: what export, eval and review read. */
export const IncidentRecord = Incident.extend({
  title: z.string(),
  postmortem: Postmortem.nullable(),
  postmortemProvenance: Provenance.nullable(),
  labels: z.array(TaxonomyLabel),
});
export type IncidentRecord = z.infer<typeof IncidentRecord>;
