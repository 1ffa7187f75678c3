import { z } from 'zod';
import { Fact } from './citation.ts';

/** Field keys match the gold files' postmortem keys, so eval compares field for field. */
export const POSTMORTEM_FIELDS = [
  'time',
  'system',
  'responsibleOrganization',
  'impactedOrganization',
  'softwareCauses',
  'nonSoftwareCauses',
  'impacts',
  'preventions',
  'fixes',
  'references',
] as const;
export const PostmortemField = z.enum(POSTMORTEM_FIELDS);
export type PostmortemField = z.infer<typeof PostmortemField>;

/** Headings of FAIL's record layout. */
export const POSTMORTEM_TITLES: Record<PostmortemField, string> = {
  time: 'Timeline',
  system: 'System',
  responsibleOrganization: 'Responsible Organization',
  impactedOrganization: 'Impacted Organization',
  softwareCauses: 'Software Causes',
  nonSoftwareCauses: 'Non-software Causes',
  impacts: 'Impacts',
  preventions: 'Preventions',
  fixes: 'Fixes',
  references: 'References',
};

export const Postmortem = z.object({
  title: z.string(),
  summary: z.string(),
  time: z.array(Fact),
  system: z.array(Fact),
  responsibleOrganization: z.array(Fact),
  impactedOrganization: z.array(Fact),
  softwareCauses: z.array(Fact),
  nonSoftwareCauses: z.array(Fact),
  impacts: z.array(Fact),
  preventions: z.array(Fact),
  fixes: z.array(Fact),
  references: z.array(Fact),
});
export type Postmortem = z.infer<typeof Postmortem>;

export function emptyPostmortem(title = ''): Postmortem {
  const pm = { title, summary: '' } as Postmortem;
  for (const f of POSTMORTEM_FIELDS) pm[f] = [];
  return pm;
}
