import { readFileSync } from 'node:fs'
import type { From, Instruction } from 'dockerfile-ast'
import { DockerfileParser, Env, JSONInstruction, Label, ModifiableInstruction } from 'dockerfile-ast'

/** One build stage: its FROM and the instructions after it, in order. */
export interface Stage {
  from: From
  name: string | undefined
  instructions: Instruction[]
}

/** A Dockerfile as the tests read it: parsed by dockerfile-ast, cut into stages. */
export interface ParsedDockerfile {
  stages: Stage[]
  final: Stage
  all: Instruction[]
}

export function parseDockerfile(path: string): ParsedDockerfile {
  const all = DockerfileParser.parse(readFileSync(path, 'utf8')).getInstructions()
  const stages: Stage[] = []
  for (const instruction of all) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From
      stages.push({ from, name: from.getBuildStage() ?? undefined, instructions: [] })
    } else {
      const stage = stages.at(-1)
      if (!stage) throw new Error(`${path}: ${instruction.getKeyword()} before any FROM`)
      stage.instructions.push(instruction)
    }
  }
  const final = stages.at(-1)
  if (!final) throw new Error(`${path}: no FROM`)
  return { stages, final, all }
}

export const ofKeyword = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.getKeyword() === keyword)

/** The words of an instruction, flags (`--from=`, `--mount=`) left out. */
export const words = (instruction: Instruction): string[] => instruction.getArguments().map((a) => a.getValue())

/** The value of a flag such as COPY's `--from`, or undefined. */
export function flag(instruction: Instruction, name: string): string | undefined {
  if (!(instruction instanceof ModifiableInstruction)) return undefined
  return (
    instruction
      .getFlags()
      .find((f) => f.getName() === name)
      ?.getValue() ?? undefined
  )
}

/** The exec form (`["node", "src/main.ts"]`) of a CMD or ENTRYPOINT, or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!(instruction instanceof JSONInstruction)) return undefined
  const strings = instruction.getJSONStrings()
  return strings.length > 0 ? strings.map((s) => s.getJSONValue()) : undefined
}

/** The key=value pairs that the ENV or LABEL instructions of a stage set. */
export function properties(stage: Stage, keyword: 'ENV' | 'LABEL'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const instruction of ofKeyword(stage, keyword)) {
    if (!(instruction instanceof Env || instruction instanceof Label)) continue
    for (const p of instruction.getProperties()) out[p.getName()] = p.getValue() ?? ''
  }
  return out
}

/** The stage's `RUN pnpm install …`: the one command both the image build and its replay run. */
export function pnpmInstall(stage: Stage): string[] | undefined {
  return ofKeyword(stage, 'RUN')
    .map(words)
    .find((w) => w[0] === 'pnpm' && w[1] === 'install')
}
