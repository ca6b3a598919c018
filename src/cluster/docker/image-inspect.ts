/** What an image is, for the report of `faultline images build` and for the results of a run. */
import { docker } from './docker-cli.js';

/** Progress of an image build: steps for the user, and the tools' own output (for a log file). */
export interface BuildLog {
  info: (line: string) => void;
  detail: (line: string) => void;
}

export interface ImageFacts {
  tag: string;
  /** sha256:… */
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
}

export interface BuiltImage extends ImageFacts {
  /** false: it existed already (cached by content). */
  built: boolean;
  seconds: number;
}

export async function inspectImage(tag: string): Promise<ImageFacts | undefined> {
  let out: string;
  try {
    out = await docker(['image', 'inspect', '--format', '{{json .}}', tag], 30_000);
  } catch (error) {
    if (/no such image/i.test((error as Error).message)) return undefined;
    throw error;
  }
  const info = JSON.parse(out) as { Id: string; Size: number; Config?: { Labels?: Record<string, string> | null } };
  return { tag, id: info.Id, sizeBytes: info.Size, labels: info.Config?.Labels ?? {} };
}

export async function imageBuilt(tag: string, startedMs: number): Promise<BuiltImage> {
  const facts = await inspectImage(tag);
  if (!facts) throw new Error(`image ${tag} is missing right after its build`);
  return { ...facts, built: true, seconds: (performance.now() - startedMs) / 1000 };
}

export function describeImage(image: BuiltImage): string {
  const size = `${Math.round(image.sizeBytes / 1e6)} MB`;
  const how = image.built ? `built in ${image.seconds.toFixed(1)} s` : 'present (cached by content)';
  return `${image.tag}  ${image.id.slice(0, 19)}  ${size}  ${how}`;
}
