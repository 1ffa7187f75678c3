import { cues, type Cue } from './evidence.ts';

/**
 * Cue lexicons for screening and postmortem extraction, written from how news reports describe
 * failures in general (outages, breaches, recalls, glitches). They name no outlet, company or incident.
 */

/** Words that report something going wrong. */
export const FAILURE: Cue[] = [
  ...cues(3, 'outages?', 'glitch(?:es|y)?', 'crash(?:ed|es|ing)?', '(?:went|go|goes|going) down', '(?:went|go|goes|going|knocked|taken|were|was) offline',
    'freez(?:e|es|ing)', 'froze(?:n)?', 'broke down', 'breakdowns?', 'failures?', 'overflow(?:ed)?', 'blunder', 'snafu', 'went wrong',
    'data loss', 'lost data', 'locked out', 'hacker(?:s)?', 'stopped (?:working|responding)',
    'data breach(?:es)?', 'breached', 'hack(?:ed|ers?|ing)?', 'cyber-?attacks?', 'ransomware', 'malware', 'bug(?:s|gy)?',
    'software (?:error|fault|failure|flaw|problem|issue)s?', 'computer (?:error|fault|failure|problem|glitch)s?',
    'system (?:error|fault|failure|crash|problem)s?', 'technical (?:error|fault|failure|problem|issue|glitch)s?',
    'malfunction(?:ed|ing|s)?', 'recall(?:ed|s|ing)?', 'vulnerabilit(?:y|ies)', 'security (?:flaw|hole|lapse|breach)s?',
    'leak(?:ed|s)?', 'exposed', 'compromised', 'meltdown', 'blackout', 'disrupt(?:ed|ion|ions)', 'shut ?down', 'bricked'),
  ...cues(2, 'fail(?:ed|s|ing)', 'errors?', 'halted', 'grounded', 'stuck', 'ruined', 'recall', 'inquiry', 'investigation', 'apologi[sz]', 'fault(?:y|s)?', 'flaws?(?:ed)?', 'defect(?:s|ive)?', 'down for',
    'unavailable', 'stopped working', 'could not (?:log|access|pay|book|use|connect)', 'unable to', 'stranded', 'overcharged',
    'wrong(?:ly)?', 'incorrect(?:ly)?', 'stolen', 'intrusion', 'attackers?', 'froze', 'frozen', 'problems?', 'issues?'),
];

/** Words that put software, computers or networks in the story. */
export const SOFTWARE: Cue[] = cues(1, 'software', 'computers?', 'systems?', 'apps?', 'applications?', 'websites?', 'online', 'internet',
  'servers?', 'networks?', 'database', 'firmware', 'updates?', 'code', 'algorithms?', 'digital', 'cloud', 'data', 'IT', 'cyber',
  'passwords?', 'e-?mails?', 'platform', 'devices?', 'programs?', 'technology');

/** Cause, impact and system mentions: an article naming all three can be analysed. */
export const CAUSE: Cue[] = cues(1, 'caused by', 'because of', 'due to', 'blamed (?:on|for)', 'root cause', 'triggered by', 'the result of',
  'traced (?:to|back)', 'stemmed from', 'after (?:a|an|the) (?:update|upgrade|change|attack|error)', 'was (?:a|an) (?:bug|glitch|error)',
  'hackers?', 'attackers?', 'bug', 'glitch', 'misconfigur\\w*', 'human error', 'power (?:cut|failure|outage)', 'faulty', 'linked to',
  'attributed to', 'the (?:problem|issue|fault|failure|outage) (?:was|began|started|came)', 'configuration', 'update', 'upgrade', 'expired',
  'overflow', 'ransomware', 'malware', 'cyber-?attack', 'flaw', 'defect', 'vulnerabilit\\w*', 'failed (?:disk|drive|controller|server|component|sensor)',
  'began after', 'started after', 'explanation', 'investigation (?:found|showed)', 'report (?:found|said)');
export const IMPACT: Cue[] = cues(1, 'affected', 'customers', 'users', 'passengers', 'patients', 'unable to', 'could not', 'delayed',
  'viewers', 'owners', 'subscribers', 'drivers', 'homes', 'people', 'refunds?', 'compensation', 'missed', 'left',
  'cancell?ed', 'stranded', 'lost', 'exposed', 'millions?', 'thousands', 'disrupt\\w*', 'impact', 'hit');

/** Not failure reports: opinion, reviews, launches and similar, which borrow failure words loosely. */
export const NON_REPORT: Cue[] = cues(1, 'review:', 'hands-on', 'opinion', 'column', 'how to', 'tips for', 'launch(?:es|ed)? (?:its|a|the) new',
  'unveil(?:s|ed)', 'announc(?:es|ed) (?:a|its|the) new', 'raised \\$', 'funding round', 'interview');

/**
 * Writing about failures in general rather than about one: studies, surveys, advice, forecasts and
 * what "companies" or "experts" do. A report of one failure has few such sentences.
 */
export const GENERAL: Cue[] = cues(1, 'stud(?:y|ies)', 'survey', 'research(?:ers)? (?:found|shows?|suggests?)', 'report (?:found|says|warns)',
  'per ?cent of', '% of', 'every year', 'each year', 'increasingly', 'trend', 'experts? (?:say|warn|believe|recommend)', 'should',
  'tips?', 'advice', 'how to', 'best practices?', 'in general', 'many companies', 'organi[sz]ations (?:need|must|should)', 'future',
  'predict\\w*', 'forecast', 'review', 'launch(?:ed|es)?', 'announc\\w*', 'new features?', 'unveil\\w*');

/** Per postmortem field: which sentences carry that kind of fact. */
export const FIELD_CUES = {
  time: cues(1, '(?:on|since|until|from|by|early|late) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)',
    '(?:january|february|march|april|may|june|july|august|september|october|november|december)(?: \\d{1,2})?(?:,? \\d{4})?',
    'yesterday', 'last (?:week|month|night|year)', 'earlier this (?:week|month|year)', '(?:at|around|about) \\d{1,2}(?::\\d{2})? ?(?:a\\.?m|p\\.?m)',
    '\\d{1,2}(?::\\d{2})? ?(?:a\\.?m|p\\.?m)', 'in (?:19|20)\\d{2}', 'for (?:about |nearly |more than )?\\w+ (?:hours|minutes|days)'),
  system: cues(1, 'software', 'system', 'app', 'website', 'platform', 'network', 'servers?', 'database', 'firmware', 'service',
    'computer', 'program', 'portal', 'console', 'device'),
  responsibleOrganization: cues(1, 'blamed', 'responsible', 'caused by', 'admitted', 'apologi[sz]ed', 'hackers?', 'attackers?', 'group',
    'contractor', 'supplier', 'vendor', 'engineers?', 'developer', 'maker', 'operator'),
  impactedOrganization: cues(1, 'affected', 'customers', 'users', 'clients', 'passengers', 'patients', 'hit', 'impacted', 'victims?',
    'businesses', 'banks', 'airlines', 'hospitals'),
  softwareCauses: cues(1, 'bug', 'glitch', 'software', 'code', 'update', 'upgrade', 'configuration', 'misconfigur\\w*', 'flaw', 'vulnerabilit\\w*',
    'error in', 'programming', 'algorithm', 'firmware', 'patch', 'malware', 'ransomware', 'encryption', 'database'),
  nonSoftwareCauses: cues(1, 'human error', 'staff', 'employee', 'power', 'hardware', 'weather', 'storm', 'fire', 'flood', 'cable',
    'heat', 'cooling', 'disk', 'drive', 'equipment', 'training', 'procedure', 'budget', 'cost-cutting', 'phishing', 'password', 'insider'),
  impacts: cues(1, 'unable to', 'could not', 'stranded', 'delayed', 'cancell?ed', 'lost', 'exposed', 'stolen', 'millions?', 'thousands',
    'hundreds', 'disrupt\\w*', 'affected', 'outage', 'refunds?', 'injur\\w*', 'died', 'killed', 'overcharged', 'offline', 'fined'),
  preventions: cues(1, 'should have', 'could have been (?:avoided|prevented)', 'would have (?:prevented|caught|stopped)', 'experts? (?:said|say|warn)',
    'recommend', 'in future', 'lessons?', 'testing', 'tested', 'safeguards?', 'best practice', 'must', 'needs? to', 'called for', 'warned'),
  fixes: cues(1, 'fix(?:ed|es)?', 'patch(?:ed|es)?', 'restored', 'resolved', 'rolled back', 'roll back', 'reverted', 'back online', 'recovered',
    'working to', 'replaced', 'reset', 'refund', 'compensat\\w*', 'update to', 'upgrade', 'reboot', 'workaround', 'manual'),
  references: cues(1, 'said', 'told', 'according to', 'spokes(?:man|woman|person)', 'statement', 'reported', 'confirmed', 'posted', 'wrote',
    'analyst', 'researcher', 'expert'),
} satisfies Record<string, Cue[]>;
