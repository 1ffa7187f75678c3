import { screenStage } from './screen.ts';
import { groupStage } from './group.ts';
import { extractStage } from './extract.ts';
import { classifyStage } from './classify.ts';

/** The pipeline, in the order data flows. */
export const STAGE_DEFS = [screenStage, groupStage, extractStage, classifyStage];
