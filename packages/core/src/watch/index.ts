// @modelseal/core/watch: drift detection on a deployed model (the building blocks behind watchModel).
export { watchModel, checkModelDrift, type WatchModelOptions } from './watch-model.js';
export type { DriftEvent, DriftChange } from './drift-event.js';
export { DriftTracker, type CheckSummary } from './drift-tracker.js';
export { loadBaseline, type Baseline } from './model-baseline.js';
export { loadReferenceBaseline } from './reference-baseline.js';
export { runDriftCommand } from './drift-command.js';
