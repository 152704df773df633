// @modelseal/core/watch: drift detection on a deployed model (the building blocks behind watchModel).
export { watchModel, checkModelDrift, type WatchModelOptions } from './watch-model.js';
export type { DriftEvent, DriftChange } from './drift-event.js';
export { DriftTracker, type CheckSummary } from './drift-tracker.js';
export type { Baseline } from './model-baseline.js';
export { loadBaseline, type LoadBaselineOptions } from './load-baseline.js';
export { runDriftCommand } from './drift-command.js';
