import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * Bodies are validated as sent: a number where a string belongs is an error, not coerced, and
 * an unknown field is named rather than silently dropped. Query strings and paths are text, so
 * those are coerced to the schema's types.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats.default(
    new Ajv.default({ allErrors: true, coerceTypes: false, useDefaults: true, removeAdditional: false }),
  )
  const coercing = addFormats.default(
    new Ajv.default({ allErrors: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false }),
  )
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object)
}
