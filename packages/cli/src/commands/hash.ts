// `modelseal hash`: placeholder until the command lands.
import type { Command } from 'commander';

export function registerHash(_program: Command): void {}
