import { z } from 'zod';

/**
 * The failure taxonomy as data. Option keys are FAIL's exactly (so gold files and FAIL's own answers
 * compare key for key); the definitions are ours. Prompts, the offline backend, the exporters, the
 * review page and the eval harness all read this table rather than restating it.
 */
export const UNKNOWN = 'unknown';

export type Section = 'faults' | 'iot' | 'other' | 'hidden';

export interface TaxonomyOption {
  readonly key: string;
  readonly definition: string;
}

/** The shape every dimension has; TAXONOMY is checked against it and keeps its literal keys. */
export interface TaxonomyDimension {
  readonly key: string;
  /** Heading used in FAIL's record layout. */
  readonly title: string;
  readonly section: Section;
  /** `multi`: any subset of options; `boolean`: exactly one of true/false. `unknown` is always allowed. */
  readonly kind: 'multi' | 'boolean';
  /** Only labelled when the system is cyber-physical (cps = true). */
  readonly iotOnly: boolean;
  readonly question: string;
  readonly options: readonly TaxonomyOption[];
}

const boolOptions = (yes: string, no: string) =>
  [
    { key: 'true', definition: yes },
    { key: 'false', definition: no },
  ] as const;

export const TAXONOMY = [
  {
    key: 'recurring',
    title: 'Recurring',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Has this failure, or one much like it, happened before or since?',
    options: [
      {
        key: 'one_organization',
        definition: 'The same organisation, or its own products and services, had a similar failure at another time.',
      },
      { key: 'multiple_organization', definition: 'Other organisations or their products had a similar failure.' },
    ],
  },
  {
    key: 'phase',
    title: 'Phase (Design/Operation)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: "In which part of the system's life were the contributing faults introduced?",
    options: [
      {
        key: 'design',
        definition:
          'While building, changing or updating the system, or writing the procedures for running it: code defects, bad updates, flawed designs.',
      },
      { key: 'operation', definition: 'While the system was in use: how it was run, configured, maintained, misused or attacked.' },
    ],
  },
  {
    key: 'boundary',
    title: 'Boundary (Internal/External)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Did the contributing faults start inside the system or come in from outside it?',
    options: [
      { key: 'within_system', definition: 'The faults arose inside the system itself: its own code, hardware or configuration.' },
      {
        key: 'outside_system',
        definition:
          'The faults came from outside and spread in: attackers, suppliers, third-party services, users, weather or the physical environment.',
      },
    ],
  },
  {
    key: 'nature',
    title: 'Nature (Human/Non-human)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Were the contributing faults caused by people or without people taking part?',
    options: [
      {
        key: 'non-human_actions',
        definition: 'No person caused the fault directly: natural events, component wear, latent bugs that fired by themselves.',
      },
      {
        key: 'human_actions',
        definition: "Something people did introduced the fault: an engineer's change, an operator's command, an attacker's intrusion.",
      },
    ],
  },
  {
    key: 'dimension',
    title: 'Dimension (Hardware/Software)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Did the contributing faults originate in hardware or in software?',
    options: [
      { key: 'hardware', definition: 'Physical components: chips, disks, power supplies, cables, sensors, mechanical parts.' },
      { key: 'software', definition: 'Programs, firmware, configuration and data handled by software.' },
    ],
  },
  {
    key: 'objective',
    title: 'Objective (Malicious/Non-malicious)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Did someone mean to do harm?',
    options: [
      {
        key: 'malicious',
        definition: 'People introduced the faults intending to damage the system or its users: hacking, ransomware, sabotage, fraud.',
      },
      { key: 'non-malicious', definition: 'The faults were introduced with no intent to harm: mistakes, defects, accidents.' },
    ],
  },
  {
    key: 'intent',
    title: 'Intent (Poor/Accidental Decisions)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Did the faults come from poor decisions or from accidental ones?',
    options: [
      {
        key: 'poor_decisions',
        definition:
          'A deliberate choice that turned out badly: cutting corners, skipping tests, ignoring warnings, knowingly shipping a risk.',
      },
      { key: 'accidental_decisions', definition: 'An unintended slip: a mistaken change, a wrong command, an oversight nobody chose.' },
    ],
  },
  {
    key: 'capability',
    title: 'Capability (Incompetence/Accidental)',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Were the faults due to a lack of professional competence, or accidental?',
    options: [
      {
        key: 'development_incompetence',
        definition:
          'The people or organisation lacked the skill or rigour the job needed: basic security errors, no testing, known bad practice.',
      },
      { key: 'accidental', definition: 'Competent people made a mistake or were caught by something unforeseen.' },
    ],
  },
  {
    key: 'duration',
    title: 'Duration',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'Do the faults act always, or only under certain conditions?',
    options: [
      { key: 'permanent', definition: 'The fault is present under all conditions until it is removed: every input triggers it.' },
      { key: 'temporary', definition: 'The fault shows only under particular conditions, loads or times, and the system otherwise works.' },
    ],
  },
  {
    key: 'behaviour',
    title: 'Behaviour',
    section: 'faults',
    kind: 'multi',
    iotOnly: false,
    question: 'How did the failed system behave?',
    options: [
      { key: 'crash', definition: 'It stopped altogether: went down, went offline, froze, or lost its state.' },
      { key: 'omission', definition: 'It kept running but failed to do some of what it should, at some moments.' },
      { key: 'timing', definition: 'It did the right thing, but too late or too early.' },
      { key: 'value', definition: 'It ran but produced wrong results: wrong amounts, wrong data, wrong decisions.' },
      { key: 'byzantine', definition: 'It behaved inconsistently, giving different wrong answers to different parties.' },
      { key: 'other', definition: 'Some other behaviour, such as being taken over or leaking data; say which.' },
    ],
  },
  {
    key: 'domain',
    title: 'Domain',
    section: 'other',
    kind: 'multi',
    iotOnly: false,
    question: 'Which industry was the failed system serving?',
    options: [
      { key: 'information', definition: 'Producing and spreading information: telecoms, internet services, media, software platforms.' },
      { key: 'transportation', definition: 'Moving people and goods: airlines, rail, cars, shipping, logistics.' },
      { key: 'natural_resources', definition: 'Extracting materials: mining, oil and gas, forestry.' },
      { key: 'sales', definition: 'Selling products for money: retail, e-commerce, point of sale.' },
      { key: 'construction', definition: 'Building the built environment.' },
      { key: 'manufacturing', definition: 'Making products from materials: factories, industrial production.' },
      { key: 'utilities', definition: 'Power, gas, water and sewage services.' },
      { key: 'finance', definition: 'Handling and moving money: banks, payments, trading, insurance.' },
      { key: 'knowledge', definition: 'Education, research and space exploration.' },
      { key: 'health', definition: 'Healthcare, medical devices, health insurance and food.' },
      { key: 'entertainment', definition: 'Games, arts, sports, hospitality and tourism.' },
      { key: 'government', definition: 'Politics, defence, justice, taxes and public services.' },
      { key: 'other', definition: 'An industry not listed; say which.' },
    ],
  },
  {
    key: 'consequence',
    title: 'Consequence',
    section: 'other',
    kind: 'multi',
    iotOnly: false,
    question: 'What happened to people and things because of the failure?',
    options: [
      { key: 'death', definition: 'People died.' },
      { key: 'harm', definition: 'People were physically hurt.' },
      { key: 'basic', definition: 'People lost access to food, water or shelter.' },
      { key: 'property', definition: 'People lost money, goods or data, or their data was exposed.' },
      { key: 'delay', definition: 'People had to postpone or could not carry out an activity.' },
      { key: 'non-human', definition: 'Things other than people were affected: systems, animals, the environment, organisations.' },
      { key: 'no_consequence', definition: 'Nothing real was observed to happen.' },
      { key: 'theoretical_consequence', definition: 'Possible consequences were discussed that did not happen.' },
      { key: 'other', definition: 'Another consequence; say which.' },
    ],
  },
  {
    key: 'cps',
    title: 'Cyber-physical system',
    section: 'hidden',
    kind: 'boolean',
    iotOnly: false,
    question: 'Is the system as a whole cyber-physical: software that senses or controls physical things?',
    options: boolOptions(
      'Software tied to physical parts that it monitors or drives: vehicles, medical devices, industrial control, smart devices. It counts even when the failing part is the software.',
      'A purely informational system: websites, apps, databases, cloud services.',
    ),
  },
  {
    key: 'perception',
    title: 'Perception',
    section: 'iot',
    kind: 'multi',
    iotOnly: true,
    question: 'Which part of the perception layer contributed?',
    options: [
      { key: 'sensor', definition: 'A sensor gave wrong or missing readings.' },
      { key: 'actuator', definition: 'An actuator (motor, valve, brake, pump) acted wrongly.' },
      { key: 'processing_unit', definition: "The device's processor or controller computed wrongly or failed." },
      { key: 'network_communication', definition: "The device's own network link failed." },
      { key: 'embedded_software', definition: 'The firmware or embedded software on the device was at fault.' },
    ],
  },
  {
    key: 'communication',
    title: 'Communication',
    section: 'iot',
    kind: 'multi',
    iotOnly: true,
    question: 'Which part of the communication layer contributed?',
    options: [
      { key: 'link_level', definition: 'The physical link: radio, cabling, signal, wired or wireless transmission.' },
      { key: 'connectivity_level', definition: 'The network or transport layer: routing, protocols, connections between nodes.' },
    ],
  },
  {
    key: 'application',
    title: 'Application',
    section: 'iot',
    kind: 'boolean',
    iotOnly: true,
    question: 'Did bugs, operating-system errors, unhandled exceptions or misuse at the application layer contribute?',
    options: boolOptions('The application layer contributed.', 'The application layer did not contribute.'),
  },
] as const satisfies readonly TaxonomyDimension[];

/** A dimension of the taxonomy, with its own literal option keys. */
export type Dimension<K extends DimensionKey = DimensionKey> = Extract<(typeof TAXONOMY)[number], { key: K }>;
export type DimensionKey = (typeof TAXONOMY)[number]['key'];
/** A key a label of dimension K may hold, `unknown` included (without K: of any dimension). */
export type OptionKey<K extends DimensionKey = DimensionKey> = Dimension<K>['options'][number]['key'] | typeof UNKNOWN;

export const DIMENSION_KEYS: readonly DimensionKey[] = TAXONOMY.map((d) => d.key);
export const DimensionKey = z.enum(DIMENSION_KEYS);
/** Every option key of every dimension: a label's options are checked against its own dimension by normalizeOptions. */
export const OptionKey = z.enum([...new Set<OptionKey>([...TAXONOMY.flatMap((d) => d.options.map((o) => o.key)), UNKNOWN])]);

/** For keys read from outside (requests, files): narrows a string to a dimension key. */
export const isDimensionKey = (key: string): key is DimensionKey => DimensionKey.safeParse(key).success;

export function dimension<K extends DimensionKey>(key: K): Dimension<K> {
  const dim = TAXONOMY.find((d): d is Dimension<K> => d.key === key);
  if (!dim) throw new Error(`unknown taxonomy dimension "${key}"`);
  return dim;
}

/** Every key a label of this dimension may hold, `unknown` included. */
export function optionKeys(key: DimensionKey): OptionKey[] {
  return [...dimension(key).options.map((o) => o.key), UNKNOWN];
}

/**
 * Brings a set of options into the taxonomy's rules: only known keys, no duplicates, `unknown` never
 * beside a real option (FAIL let both through), booleans hold exactly one value, nothing empty.
 */
export function normalizeOptions(key: DimensionKey, options: readonly string[]): OptionKey[] {
  const dim = dimension(key);
  const kept: OptionKey[] = dim.options.map((o) => o.key).filter((k) => options.includes(k));
  if (kept.length === 0) return [UNKNOWN];
  if (dim.kind === 'boolean') return [kept[0]];
  return kept;
}

/** IoT-layer dimensions are only asked when the system is cyber-physical. */
export function applies(dimKey: DimensionKey, cps: readonly string[] | null | undefined): boolean {
  return !dimension(dimKey).iotOnly || (cps?.includes('true') ?? false);
}
