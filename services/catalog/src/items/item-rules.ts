import {
  checkExpectedVersion as expectedVersionRule,
  checkFields as fieldsRule,
  ItemRulesError,
  checkId as idRule,
  checkNaturalKey as naturalKeyRule,
} from '@catalog/proto'
import { invalid } from '../errors.ts'

// The item's rules are the contract's (proto/src/item-rules.ts); here they answer as the catalog
// does: INVALID_ARGUMENT with its code, naming every field.
export { FIELD_PATHS, type FieldPath, ITEM_LIMITS as LIMITS, type ItemValues, type Price } from '@catalog/proto'

function asInvalid<A extends unknown[], R>(rule: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return rule(...args)
    } catch (err) {
      if (err instanceof ItemRulesError) throw invalid(err.violations)
      throw err
    }
  }
}

export const checkId = asInvalid(idRule)
export const checkNaturalKey = asInvalid(naturalKeyRule)
export const checkExpectedVersion = asInvalid(expectedVersionRule)
export const checkFields = asInvalid(fieldsRule)
