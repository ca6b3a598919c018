/** Checks for the tools local clusters need, with a message that says what to install. */
import { spawnSync } from 'node:child_process';
import { InfrastructureError } from '../errors.js';

const installHint: Record<string, string> = {
  java: 'install a JDK or JRE 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)',
  go: 'install Go 1.23 or newer (Debian/Ubuntu: apt-get install golang-go, or from go.dev); faultline builds the Toxiproxy server with `go install` for network faults',
  mvn: 'install Apache Maven 3.6 or newer (Debian/Ubuntu: apt-get install maven; macOS: brew install maven); faultline uses it to fetch broker jars from Maven Central',
};

export function requireTool(tool: 'java' | 'mvn' | 'go'): void {
  const probe = spawnSync(tool, tool === 'java' ? ['-version'] : tool === 'go' ? ['version'] : ['-v'], {
    stdio: 'ignore',
  });
  if (probe.error || probe.status !== 0) {
    throw new InfrastructureError(`"${tool}" was not found or does not run: ${installHint[tool]}`);
  }
}

/** Major version of the java on PATH (e.g. 17), or undefined when it cannot be told. */
export function javaMajorVersion(): number | undefined {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}
