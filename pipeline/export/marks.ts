/**
 * How failscope's own outputs say so: a reader pointed at a folder that holds an export (out/, an eval
 * directory) passes over them instead of storing its own records as news articles.
 */
export const GENERATOR_META = '<meta name="generator" content="failscope">';

const HTML = /<meta\s+name=["']?generator["']?\s+content=["']?failscope["']?/i;
// The record page's head (markdown.ts): its title, publication date and incident id lines; an eval's summary.md.
const MARKDOWN = /^# Incident: .*\n\nPublished Date: .*\n\nIncident id: `[^`\n]+`|^# Eval: .*\n\nGold: `/m;

/** Whether a file's text is one of failscope's own HTML pages or Markdown records. */
export const isOwnExport = (text: string, html: boolean) => (html ? HTML : MARKDOWN).test(text);
