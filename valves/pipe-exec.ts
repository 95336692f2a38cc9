/**
 * PipeExec: FortifiedID's name for PipeCall (its Flow valves list both). The same valve
 * under a second name, so that a pasted FortifiedID pipe runs; its config is PipeCall's
 * (`pipe`). FortifiedID's own keys for it are not documented where we could read them, so
 * none are guessed.
 */
import { defineValve } from '../engine/index.js';
import pipeCall from './pipe-call.js';

export default defineValve({
  ...pipeCall,
  name: 'PipeExec',
  description: "FortifiedID's name for PipeCall: run another pipe's valves as a step of this one, then go on.",
});
