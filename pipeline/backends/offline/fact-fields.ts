import type { PostmortemField } from '../../../schemas/index.ts';

/**
 * How an analyst states each postmortem field: the system and the organisations (and the sources) by
 * name, causes, impacts, preventions and fixes by the clause that states them. The timeline states
 * dates (timeline.ts).
 */
export const NAME_FIELDS = [
  'system',
  'responsibleOrganization',
  'impactedOrganization',
  'references',
] as const satisfies readonly PostmortemField[];
export const CLAUSE_FIELDS = [
  'softwareCauses',
  'nonSoftwareCauses',
  'impacts',
  'preventions',
  'fixes',
] as const satisfies readonly PostmortemField[];
export type NameField = (typeof NAME_FIELDS)[number];
export type ClauseField = (typeof CLAUSE_FIELDS)[number];
export type FactField = NameField | ClauseField;
export const FACT_FIELDS: readonly FactField[] = [...NAME_FIELDS, ...CLAUSE_FIELDS];
