import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** The part of wink-nlp's core model that grows: every lexeme, those it shipped with first. */
interface Lexemes {
  hash: Record<string, number>;
  list: string[];
  intrinsicSize: number;
}

/**
 * Lexemes forgotten before an instance is rebuilt (each document leaves its out-of-vocabulary words in
 * the lexeme list; only their lookup entries go). About 1,300 news articles; a rebuild costs half a second.
 */
const REBUILD_AFTER = 200_000;

// The model's metaCER() re-stringifies its machines on every call, so a 21st instance could not be built.
const cerMachines = (model.metaCER as () => unknown)();

/**
 * Reads texts exactly as a fresh process would. wink-nlp adds every out-of-vocabulary word it meets
 * to its lexicon, and its tokenizer consults that lexicon: once a text has ended a sentence on
 * "children's.", every later "children's" is one token where a fresh process makes two ("children",
 * "'s"), so the same article gave other sentences, features and records late in a long run than in a
 * resumed one. The words a document added are looked up while it is read, then forgotten; the
 * document keeps reading them through its own token indices, which stay valid.
 */
export function textReader(rebuildAfter = REBUILD_AFTER) {
  let lexemes!: Lexemes;
  // POS tags find the noun phrases that postmortem facts name (the system, the organisations); tagging
  // leaves tokens, sentences and negation flags as they were.
  const load = () =>
    winkNLP(
      {
        ...model,
        metaCER: () => cerMachines,
        // The same model, keeping a handle on the lexicon the instance builds for itself.
        core: () => {
          const core = (model.core as () => { features: { lexeme: Lexemes } })();
          lexemes = core.features.lexeme;
          return core;
        },
      },
      ['sbd', 'negation', 'pos'],
    );
  let instance = load();
  let rebuilds = 0;
  return {
    its: instance.its,
    readDoc(text: string): ReturnType<typeof instance.readDoc> {
      if (lexemes.list.length - lexemes.intrinsicSize > rebuildAfter) {
        instance = load();
        rebuilds++;
      }
      const known = lexemes.list.length;
      try {
        return instance.readDoc(text);
      } finally {
        for (let i = known; i < lexemes.list.length; i++) delete lexemes.hash[lexemes.list[i]];
      }
    },
    rebuilds: () => rebuilds,
  };
}

/** The shared reader: loading the model costs more than reading most articles. */
export const nlp = textReader();
export const its = nlp.its;
