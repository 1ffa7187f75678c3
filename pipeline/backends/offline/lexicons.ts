import type { DimensionKey, OptionKey } from '../../../schemas/index.ts';
import { cues, type Cue } from './evidence.ts';

/**
 * Cue lexicons per taxonomy option, written from the option definitions in schemas/taxonomy.ts and
 * from general news vocabulary. Keys are the taxonomy's option keys. Hedged mentions count less,
 * negated ones not at all (see evidence.ts); consequence reads hedged mentions as theoretical.
 */
const ATTACK = ['hack(?:ed|ers?|ing)?', 'cyber-?attacks?', 'attack(?:ers?|ed)?', 'ransomware', 'malware', 'phishing', 'cyber ?criminals?',
  'criminals?', 'stole', 'stolen', 'theft', 'intru(?:der|sion)s?', 'ddos', 'denial[- ]of[- ]service', 'extort\\w*', 'sabotag\\w*', 'fraudsters?',
  'breach(?:ed)? by', 'compromised'];
const DEFECT = ['bugs?', 'glitch(?:es)?', 'software (?:error|fault|flaw|problem|issue|failure)s?', 'coding (?:error|mistake)s?',
  'programming (?:error|mistake)s?', 'defects?', 'flaw(?:ed)?', 'malfunction(?:ed|ing)?', 'technical (?:error|fault|problem|issue|glitch)s?'];
const STAFF = ['human error', 'engineers?', 'employees?', 'staff(?:er)?s?', 'workers?', 'operators?', 'technicians?', 'administrators?',
  'contractors?', 'developers?', 'programmers?', 'insiders?', 'accidentally', 'mistakenly', 'inadvertently'];
const HARDWARE = ['hardware', 'power (?:supply|supplies|outage|cut|failure|surge)s?', 'disks?', 'hard drives?', 'storage (?:array|controller|device)s?',
  'chips?', 'processors?', 'circuit', 'cables?', 'routers?', 'switch(?:es)? failed', 'servers? (?:failed|overheated)', 'overheat', 'cooling',
  'batter(?:y|ies)', 'sensors?', 'equipment (?:failure|fault)', 'physical damage', 'memory (?:chip|module)s?', 'generators?'];
const UPDATE = ['updates?', 'upgrades?', 'patch(?:es)?', 'new (?:software|system|version|code|feature)', 'release', 'rollout', 'migration', 'deploy(?:ed|ment)?'];
const CONFIG = ['misconfigur(?:ed|ation)', 'configuration (?:change|error)s?', 'wrong (?:setting|command)', 'maintenance', 'procedures?'];
const EXTERNAL = [...ATTACK, 'third[- ]party', 'suppliers?', 'vendors?', 'contractors?', 'partners?', 'storms?', 'weather', 'floods?', 'lightning',
  'heat ?wave', 'earthquake', 'solar', 'grid', 'external', 'outside', 'provider'];

/** Who acted, for the who-acted features: people at the organisation, or attackers. */
export const AGENTS = { staff: cues(1, ...STAFF, 'human error', 'mistakes?', 'decided', 'decision'), attacker: cues(1, ...ATTACK) };

// Each dimension's cues are checked against its own option keys, so a misspelt key does not compile.
export const LEXICONS: Partial<Record<DimensionKey, Partial<Record<OptionKey, Cue[]>>>> = {
  recurring: {
    one_organization: cues(1, '(?:second|third|fourth|another|latest|previous|earlier|last|similar) (?:outage|breach|glitch|incident|failure|problem|attack|crash|hack)s?',
      'not the first time', 'for the (?:second|third|fourth) time', 'happened (?:before|again)', 'again', 'repeat(?:ed)?', 'recurr\\w*', 'history of',
      '(?:had|has) (?:also )?(?:suffered|experienced|faced) (?:a |an )?(?:similar|previous|earlier)', 'this year alone', 'string of'),
    multiple_organization: cues(1, '(?:other|rival|several|many|numerous) (?:companies|firms|banks|airlines|retailers|organi[sz]ations|carriers|hospitals|businesses|providers)',
      'industry-?wide', 'similar (?:attacks?|breach(?:es)?|outages?|incidents?|problems?|failures?) (?:at|on|hit)', 'latest in a (?:string|series|spate|wave|line)',
      'joins a (?:long |growing )?list', 'also (?:hit|affected|suffered)', 'not alone', 'across the industry', 'spate of'),
  },
  phase: {
    design: cues(1, ...DEFECT, ...UPDATE, 'design(?:ed)?', 'vulnerabilit(?:y|ies)', 'code', 'algorithm', 'firmware', 'testing', 'tested',
      'written', 'built'),
    operation: cues(1, ...STAFF, ...CONFIG, ...ATTACK, 'overload(?:ed)?', '(?:high|heavy|surge in|spike in|unexpected) (?:demand|traffic|load|volume)',
      'misuse', 'operat(?:ed|ing|ion)', 'power (?:outage|cut|failure)', 'while (?:in use|running)'),
  },
  boundary: {
    within_system: cues(1, ...DEFECT, ...UPDATE, 'internal', 'its own', 'in-house', 'server (?:failure|problem)s?', 'configuration', 'database'),
    outside_system: cues(1, ...EXTERNAL),
  },
  nature: {
    // Who acted: people (staff changing things, attackers) versus things (hardware, nature, time itself).
    'non-human_actions': cues(1, ...HARDWARE, ...DEFECT, 'technical', 'network devices?', 'weather', 'storms?', 'floods?(?:ed|water)?', 'lightning', 'heat ?wave', 'wear', 'ageing', 'corrosion',
      'expired', 'overflow(?:ed)?', 'leap (?:day|year)', 'ran out', 'solar', 'natural'),
    human_actions: cues(1, ...STAFF, ...ATTACK, ...UPDATE, ...CONFIG, 'mistakes?', 'decided', 'decision', 'pushed', 'changed', 'wrote', 'written'),
  },
  dimension: {
    hardware: cues(1, ...HARDWARE, 'physical', 'mechanical', 'devices? (?:failed|broke)', 'equipment'),
    software: cues(1, ...DEFECT, ...UPDATE, 'software', 'code', 'app', 'firmware', 'algorithm', 'database', 'configuration', 'malware',
      'ransomware', 'website', 'program', 'encryption', 'passwords?'),
  },
  objective: {
    malicious: cues(1.5, ...ATTACK),
    'non-malicious': cues(1, ...DEFECT, 'mistakes?', 'accident(?:al|ally)?', 'human error', 'misconfigur\\w*', 'hardware (?:failure|fault)',
      'power (?:outage|failure|cut)', 'not (?:a|the result of a) (?:cyber-?)?attack', 'no evidence of (?:a |any )?(?:cyber-?attack|hack|malicious)',
      'not malicious', 'technical (?:issue|problem|fault)'),
  },
  intent: {
    poor_decisions: cues(1, '(?:decided|decision|chose|opted) to', 'despite (?:warnings|concerns|being warned)', 'ignor(?:ed|ing)', 'cut(?:ting)? corners',
      'cost-?cutting', 'rush(?:ed)?', 'failed to (?:patch|update|test|fix|encrypt|upgrade|act|heed)', 'known (?:vulnerabilit\\w*|issues?|problems?|flaws?|bugs?)',
      'had been warned', 'outdated', 'legacy', 'lack of (?:testing|investment|oversight|security)', 'without (?:proper |adequate |sufficient )?testing',
      'unencrypted', 'plain ?text', 'underinvest\\w*', 'deadline'),
    accidental_decisions: cues(1, 'accident(?:al|ally)', 'mistaken(?:ly)?', 'inadvertent(?:ly)?', 'human error', 'unintended', 'unintentional',
      'error by (?:an? )?(?:engineer|employee|staff|worker|operator|technician)', 'typo', 'wrong (?:command|setting|button|file)', 'misconfigur\\w*',
      'oversight', 'by mistake', 'slip'),
  },
  capability: {
    development_incompetence: cues(1, 'incompeten\\w*', 'basic (?:error|mistake|security|flaw)', 'amateur', 'sloppy', 'poorly (?:designed|written|tested|implemented|secured)',
      'lack(?:ed)? (?:of )?(?:testing|expertise|skills|competence|basic)', 'should have (?:known|caught|been)', 'negligen\\w*', 'unencrypted', 'plain ?text',
      'default password', 'failed to (?:test|follow|encrypt)', 'known vulnerabilit\\w*', 'elementary', 'rookie'),
    accidental: cues(1, 'accident(?:al|ally)?', 'unexpected(?:ly)?', 'unforeseen', 'inadvertent', 'mistakes?', ...DEFECT, 'by chance', 'rare',
      'freak', 'unusual', 'edge case', 'human error'),
  },
  duration: {
    permanent: cues(1, 'permanent(?:ly)?', 'bricked', 'irreversibl\\w*', 'lost for good', 'cannot be (?:fixed|recovered|undone)', 'recall(?:ed|s)?',
      '(?:all|every) (?:users|customers|devices|vehicles|units|accounts)', 'until (?:a|the) (?:fix|patch|update|replacement)', 'stolen', 'exposed',
      'deleted', 'wiped', 'since (?:it was|the) (?:launch|introduc)', 'every time'),
    // Duration is the fault's, not the outage's: an outage that was "restored" says nothing of whether the
    // fault acts under every condition. Temporary faults are the ones that need particular conditions.
    temporary: cues(1, 'intermittent(?:ly)?', 'sporadic(?:ally)?', 'when (?:traffic|load|demand|usage)', 'under (?:heavy |high )?(?:load|demand|traffic)',
      'under (?:certain|some|specific|rare|unusual) (?:conditions|circumstances)', 'only (?:when|if|on|during)', 'leap (?:day|year)', 'peak',
      'surge', 'spike', 'heat ?wave', 'cold snap', 'storm', 'race condition', 'edge case', 'rarely', 'occasional(?:ly)?', 'certain (?:devices|models|users)'),
  },
  behaviour: {
    crash: cues(1, 'crash(?:ed|es|ing)?', 'went down', '(?:went|taken|knocked|was) offline', 'outages?', 'froze', 'frozen', 'shut ?down', 'unavailable',
      'stopped working', 'down for', 'blackout', 'unresponsive', 'reboot', 'went dark', 'collapsed', 'blue screen'),
    omission: cues(1, 'failed to (?:send|process|deliver|record|alert|notify|update|trigger|detect|load|work|respond|register|pay|show)', 'missing',
      'not (?:sent|processed|delivered|received|shown|recorded|paid)', 'could not (?:log|access|check|book|pay|withdraw|use|make|connect)', 'unable to',
      '(?:did|does|would) not (?:work|respond|record|start|open)', 'dropped', 'skipped', 'lost (?:calls|connection|messages)', 'went unanswered'),
    timing: cues(1, 'delay(?:ed|s)?', 'too (?:early|late|slow(?:ly)?)', 'slow(?:ed|ness|ly)?', 'lag(?:ged|ging)?', 'timed? ?out', '(?:hours|days|weeks) late',
      'premature(?:ly)?', 'sluggish', 'backlog', 'queues?'),
    value: cues(1, '(?:wrong|incorrect|inaccurate|erroneous|false|bogus|inflated) (?:\\w+ )?(?:results?|amounts?|data|figures|readings?|balances?|bills?|charges?|information|prices?|doses?|values?|calculations?|totals?|scores?|times?|dates?|grades?|payments?|alerts?)',
      'overcharg(?:ed|ing)', 'double[- ]charg\\w*', 'charged twice', 'miscalculat\\w*', 'error in (?:the )?calculation', 'negative balance', 'wrong(?:ly)?',
      'incorrect(?:ly)?', 'false (?:alarm|positive|alert)s?', 'misreport\\w*', 'mislabel\\w*', 'erroneous(?:ly)?'),
    byzantine: cues(1, 'inconsistent(?:ly)?', 'erratic(?:ally)?', 'contradictory', 'conflicting', 'unpredictabl\\w*', 'randomly'),
    other: cues(1, 'hijack', 'data (?:was |were )?(?:stolen|exposed|leaked)', 'breach(?:ed)?', '(?:took|taken|gained|seized) (?:remote )?control',
      'unauthori[sz]ed (?:access|software|code)', 'leak(?:ed)?', 'encrypted (?:files|data|systems)', 'locked out', 'jailbr\\w*', 'pirat\\w*'),
  },
  domain: {
    information: cues(1, 'internet', 'websites?', 'social (?:media|network)', 'telecom', 'broadband', 'mobile network', 'e-?mail', 'search engine',
      'cloud', 'data cent(?:re|er)s?', 'web services?', 'phone (?:network|service|carrier)', 'news', 'messaging', 'software (?:company|maker|firm)',
      'telecoms?', 'mobile (?:operator|carrier|phone)s?', 'carriers?', 'smartphones?', 'newspapers?', 'broadcasters?', 'media', 'publishers?',
      'tech (?:company|firm|giant)s?', 'hosting', 'wi-?fi', 'internet (?:service )?providers?', 'dns', 'domain names?'),
    transportation: cues(1, 'airlines?', 'flights?', 'airports?', 'rail(?:way)?s?', 'trains?', 'subway', 'metro', 'vehicles?', 'cars?', 'drivers?', 'shipping',
      'logistics', 'aviation', 'buses', 'trucks?', 'air traffic', 'passengers', 'autopilot', 'self-driving', 'carmaker', 'automaker', 'transit', 'delivery',
      'motorists?', 'roads?', 'highways?', 'traffic (?:lights?|signals?)', 'ferr(?:y|ies)', 'ships?', 'ports?', 'railroads?', 'trams?', 'commuters?',
      'taxis?', 'ride-hailing', 'scooters?', 'jets?', 'planes?', 'aircraft', 'pilots?', 'parking', 'freight', 'cargo', 'lorr(?:y|ies)'),
    natural_resources: cues(1, 'oil (?:rig|well|field|company)', 'mining', 'mines?', 'drilling', 'forestry', 'pipeline', 'oil', 'gas (?:field|well|pipeline)s?', 'miners?', 'quarr(?:y|ies)',
      'ore', 'coal', 'refiner(?:y|ies)', 'offshore', 'agricultur\\w*', 'farms?', 'farmers?', 'fisher(?:y|ies)'),
    sales: cues(1, 'retail(?:er|ers)?', 'stores?', 'shop(?:pers|ping|s)?', 'e-?commerce', 'checkouts?', 'tills?', 'point[- ]of[- ]sale', 'supermarkets?', 'orders?',
      'purchases?', 'sales', 'merchants?', 'prices?', 'discounts?', 'black friday', 'grocer(?:y|ies)', 'marketplaces?', 'sellers?',
      'online shops?'),
    construction: cues(1, 'construction', 'building sites?', 'builders?', 'architects?', 'cranes?', 'bridges?', 'tunnels?', 'skyscrapers?', 'elevators?', 'lifts?',
      'surveyors?', 'civil engineering', 'housing'),
    manufacturing: cues(1, 'factor(?:y|ies)', 'manufactur\\w*', 'assembly lines?', 'production lines?', 'plants?', 'industrial', 'robots?', 'production', 'suppl(?:y chain|iers?)',
      'parts makers?', 'steel', 'chemicals?', 'car parts'),
    utilities: cues(1, 'power grid', 'electricity', 'utilit(?:y|ies)', 'water (?:supply|utility|company|treatment)', 'gas (?:supply|company)', 'energy (?:company|provider|supplier)',
      'smart meters?', 'power (?:plant|station|company)', 'nuclear', 'thermostats?', 'heating',
      'blackouts?', 'power cuts?', 'grid', 'substations?', 'water (?:company|plant|main)s?', 'sewage', 'wastewater', 'energy', 'meters?'),
    finance: cues(1, 'banks?', 'banking', 'payments?', 'cards?', 'atms?', 'cash machines?', 'stock (?:exchange|market)', 'trad(?:ing|ers?)', 'financial', 'insurance',
      'insurers?', 'credit', 'crypto', 'accounts?', 'money', 'transactions?', 'lenders?', 'mortgages?',
      'savings', 'brokerages?', 'investors?', 'shares', 'stocks?', 'fintech', 'wallets?', 'transfers?', 'loans?', 'pensions?', 'wages', 'payroll',
      'salar(?:y|ies)', 'fraud'),
    knowledge: cues(1, 'universit(?:y|ies)', 'schools?', 'students?', 'exams?', 'research(?:ers)?', 'nasa', 'space', 'satellites?', 'spacecraft', 'education', 'scientists?',
      'teachers?', 'pupils?', 'classrooms?', 'laborator(?:y|ies)', 'telescopes?', 'space probes?', 'rockets?', 'science', 'scientific', 'academic',
      'colleges?', 'librar(?:y|ies)'),
    health: cues(1, 'hospitals?', 'patients?', 'medical', 'health', 'nhs', 'doctors?', 'nurses?', 'pharmac(?:y|ies)', 'drugs?', 'insulin', 'pacemakers?',
      'medication', 'clinics?', 'food', 'ambulances?',
      'healthcare', 'surgery', 'surgeons?', 'prescriptions?', 'care homes?', 'ventilators?', 'infusion', 'radiotherapy', 'blood', 'diagnos\\w*',
      'vaccin\\w*', 'medical devices?', 'restaurants?'),
    entertainment: cues(1, 'games?', 'gam(?:ers|ing)', 'consoles?', 'playstation', 'xbox', 'music', 'films?', 'movies?', 'streaming', 'tv', 'sports?',
      'tickets?', 'concerts?', 'hotels?', 'touris(?:m|ts)', 'casinos?', 'fans',
      'festivals?', 'stadiums?', 'leagues?', 'pay-per-view', 'cinemas?', 'theat(?:re|er)s?', 'lotter(?:y|ies)', 'betting', 'bookmakers?', 'holidays?',
      'resorts?', 'marathons?', 'esports'),
    government: cues(1, 'government', 'agenc(?:y|ies)', 'department', 'councils?', 'police', 'military', 'defen[cs]e', 'elections?', 'voting', 'voters?', 'tax(?:es)?',
      'courts?', 'ministry', 'federal', 'public services?', 'benefits', 'officials', 'state-run', 'minister',
      'city hall', 'county', 'municipal', 'parliament', 'congress', 'senate', 'prisons?', 'immigration', 'passports?', 'visas?', 'border',
      'census', 'dmv', 'licen[cs]ing', 'welfare', 'social security', 'unemployment', 'emergency services', '911', '112', 'dispatch', 'registr(?:y|ies)'),
  },
  consequence: {
    death: cues(2, 'died', 'killed', 'deaths?', 'fatal(?:ities|ity)?', 'lost (?:their|his|her) li(?:fe|ves)', 'dead'),
    harm: cues(1.5, 'injur(?:ed|ies|y)', 'hurt', 'hospitali[sz]ed', 'harmed', 'overdos\\w*', 'wounded', 'burns?'),
    basic: cues(1, '(?:without|lost|no) (?:power|heat|heating|water|food|shelter)', 'homeless', 'food (?:supplies|shortage)', 'evicted',
      'benefits (?:were |was )?(?:delayed|stopped|cut)'),
    property: cues(1, '(?:lost|stolen|stole|steal) (?:\\$|£|€|money|funds|data|savings)', 'exposed (?:the )?(?:personal |customer |sensitive |private )?(?:data|information|records|details)',
      '(?:\\$|£|€)\\s?\\d', '(?:million|billion) (?:dollars|pounds|euros)', 'refunds?', 'overcharg\\w*', 'compensation', 'personal (?:data|information|details)',
      'credit card (?:numbers|details)', 'passwords', 'records were', 'losses', 'lost money', 'data (?:was|were) (?:lost|deleted|stolen|exposed)'),
    delay: cues(1, 'delay(?:ed|s)?', 'cancell?(?:ed|ations?)', 'postpone(?:d)?', 'stranded', 'queues?', 'wait(?:ed|ing)? (?:for )?(?:hours|days)',
      'could not (?:board|book|travel|pay|access|log|use|withdraw|buy)', 'unable to', 'grounded', 'disrupt(?:ed|ion|ions)?', 'held up', 'backlog'),
    'non-human': cues(1, '(?:companies|businesses|organi[sz]ations|firms|operations|services|websites|systems|servers|networks|devices) (?:were |was )?(?:affected|hit|disrupted|damaged|disabled|halted)',
      '(?:shares|stock) (?:fell|dropped|plunged|slid)', 'reputation', 'fined', 'lawsuits?', 'operations (?:were )?(?:halted|suspended)'),
    no_consequence: cues(1, 'no (?:one|customers?|users?|patients?|passengers?|data) (?:was|were) (?:affected|harmed|hurt|compromised|injured)',
      'no (?:impact|harm|damage|injuries)', 'before (?:it|any) (?:caused|could cause)', 'caught (?:it )?before'),
    theoretical_consequence: cues(1, 'could have (?:led|caused|resulted|allowed|been|killed|exposed)', 'potential(?:ly)?', 'might have', 'risk of',
      'could (?:allow|enable|let|be used|lead)', 'vulnerable', 'if exploited', 'would have'),
  },
  cps: {
    true: cues(1, 'vehicles?', 'cars?', 'autopilot', 'self-driving', 'aircraft', 'planes?', 'jets?', 'trains?', 'signal(?:ling|s)?', 'robots?', 'drones?',
      'medical devices?', 'pacemakers?', '(?:insulin|infusion) pumps?', 'sensors?', 'thermostats?', 'smart (?:home|meter|lock|device|speaker|tv)s?',
      'consoles?', 'atms?', 'cash machines?', 'industrial control', 'scada', 'power grid', 'factor(?:y|ies)', 'elevators?', 'traffic lights?', 'satellites?',
      'rockets?', 'spacecraft', 'firmware', 'embedded', 'handsets?', 'phones?', 'iot', 'internet of things', 'cameras?', 'brakes?', 'engines?', 'meters?'),
    false: cues(1, 'websites?', 'online', 'database', 'cloud', 'e-?mail', 'web portal', 'social (?:network|media)', 'accounts?', 'apps?', 'servers?', 'booking system'),
  },
  perception: {
    sensor: cues(1, 'sensors?', 'cameras?', 'radar', 'lidar', 'gps', 'readings?', 'detectors?', 'probes?', 'gauges?'),
    actuator: cues(1, 'actuators?', 'motors?', 'brak(?:es|ing)', 'valves?', 'pumps?', 'steering', 'throttle', 'engines?', 'doors?', 'accelerat\\w*'),
    processing_unit: cues(1, 'processors?', 'cpus?', 'chips?', 'controllers?', 'memory', 'ecu', 'computer (?:failed|crashed|froze)', 'on-?board computer'),
    network_communication: cues(1, '(?:network|connection|connectivity|wi-?fi|bluetooth|cellular|signal|radio) (?:loss|lost|failure|problem|issue|outage|dropped|glitch)'),
    embedded_software: cues(1, 'firmware', 'embedded', 'software update', 'over-the-air', 'ota update', 'on-?board software', 'software (?:bug|glitch|flaw|error)'),
  },
  communication: {
    link_level: cues(1, 'cables?', 'fib(?:re|er)', 'wireless', 'radio', 'interference', 'antennas?', 'bluetooth', 'wi-?fi', 'satellite links?', 'physical layer'),
    connectivity_level: cues(1, 'network', 'internet', 'connectivity', 'protocols?', 'routing', 'dns', 'bgp', 'connections?', 'cloud', 'servers?', 'online'),
  },
  application: {
    true: cues(1, ...DEFECT, 'software', 'app', 'application', 'updates?', 'code', 'operating system', 'exceptions?', 'program'),
  },
} satisfies { [D in DimensionKey]?: { [O in OptionKey<D>]?: Cue[] } };
