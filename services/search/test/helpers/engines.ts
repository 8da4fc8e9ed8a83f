import t from 'tap'
import type { EngineName } from '../../src/engine.ts'
import { ENGINES } from '../../src/engine.ts'

/*
 * The contract suite: a test written once runs against every engine, each in a subtest named after
 * it. OpenSearch needs the test node (TEST_OPENSEARCH_URL, which the test command sets): outside
 * the test command it is skipped, saying so; in CI its absence fails the run instead.
 */

const UNSET = 'TEST_OPENSEARCH_URL is not set'
if (!process.env.TEST_OPENSEARCH_URL && process.env.CI)
  throw new Error(`${UNSET}: scripts/test.sh starts OpenSearch and sets it; the contract suite runs on both engines`)

const skipOf = (engine: EngineName) =>
  engine === 'opensearch' && !process.env.TEST_OPENSEARCH_URL
    ? `${UNSET}: start the test servers with bash scripts/test.sh --servers-only`
    : false

type Test = NonNullable<ReturnType<typeof t.test>['subtest']>

/** Runs `fn` as a test on each engine (`name (postgres)`, `name (opensearch)`). */
export function eachEngine(name: string, fn: (t: Test, engine: EngineName) => Promise<void>): void {
  for (const engine of ENGINES) t.test(`${name} (${engine})`, { skip: skipOf(engine) }, (t) => fn(t, engine))
}
