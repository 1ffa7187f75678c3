import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** One shared wink-nlp instance: loading the model costs more than reading most articles. */
export const nlp = winkNLP(model, ['sbd', 'negation']);
export const its = nlp.its;
