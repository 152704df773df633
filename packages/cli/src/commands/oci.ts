// `modelseal oci`: placeholder until the command lands.
import type { Command } from 'commander';

export function registerOci(_program: Command): void {}
