// `modelseal keygen`: placeholder until the command lands.
import type { Command } from 'commander';

export function registerKeygen(_program: Command): void {}
