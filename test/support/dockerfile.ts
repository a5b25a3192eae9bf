/**
 * Just enough of a Dockerfile reader for test/worker.image.test.ts to rebuild the image's
 * runtime tree without a Docker engine: stages, and the instructions in each.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: string;
  /** `--name=value` flags (e.g. `from`, `platform`). */
  flags: Record<string, string>;
  /** The words after the flags (COPY sources and destination); `text` is the raw rest. */
  words: string[];
  text: string;
}

export interface Stage {
  name: string | undefined;
  image: string;
  platform: string | undefined;
  instructions: Instruction[];
}

/** Physical lines joined at trailing backslashes; comments and blank lines dropped. */
function logicalLines(source: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of source.split('\n')) {
    if (!pending && /^\s*(#|$)/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  return lines;
}

function parseInstruction(line: string): Instruction {
  const [op = '', ...rest] = line.split(/\s+/);
  const text = line.slice(op.length).trim();
  const flags: Record<string, string> = {};
  const words: string[] = [];
  for (const word of rest) {
    const flag = /^--([a-z-]+)=(.*)$/.exec(word);
    if (flag && words.length === 0) flags[flag[1] as string] = flag[2] as string;
    else words.push(word);
  }
  return { op: op.toUpperCase(), flags, words, text };
}

export function parseDockerfile(path: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(readFileSync(path, 'utf8'))) {
    const instruction = parseInstruction(line);
    if (instruction.op === 'FROM') {
      const [image = '', as, name] = instruction.words;
      stages.push({
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        image,
        platform: instruction.flags.platform,
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${path}: ${instruction.op} before the first FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

/** The stage called `name`; throws when the Dockerfile has none. */
export function stageNamed(stages: Stage[], name: string): Stage {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage named ${name}`);
  return stage;
}
