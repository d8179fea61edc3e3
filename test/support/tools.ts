import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));

/** Path of a project tool script's output (it installs the tool on first use). */
function toolPath(script: string): string {
  return execFileSync(`${scripts}${script}`, ['path'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export const timeSkippingServerPath = (): string => toolPath('temporal-test-server');
export const temporalCliPath = (): string => toolPath('temporal-server');
