// `modelseal sign`: placeholder until the command lands.
import type { Command } from 'commander';

export function registerSign(_program: Command): void {}
