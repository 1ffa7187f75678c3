import { POSTMORTEM_FIELDS, TAXONOMY } from '../../../schemas/index.ts';

/**
 * Highlight colours: one per postmortem field and one per taxonomy dimension, spread round the colour
 * wheel (golden-angle steps keep neighbours apart). A span's colour is its first citing item's group.
 */
export const GROUPS = [...POSTMORTEM_FIELDS.map((f) => `f-${f}`), ...TAXONOMY.map((d) => `l-${d.key}`)];

export function paletteCss(): string {
  return GROUPS.map((g, i) => {
    const hue = Math.round((i * 137.508) % 360);
    return `.g-${g} { --hl: hsl(${hue} 85% 86%); --hl-strong: hsl(${hue} 70% 45%); }`;
  }).join('\n');
}
