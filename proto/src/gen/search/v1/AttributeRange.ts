// Original file: search/v1/search_service.proto


/**
 * Numeric bounds on the value at an attribute path: `year`, `dims.height` (keys of letters, digits,
 * `_` or `-`, at most 64 characters each, at most 4 deep). Arrays on the way are looked into, and
 * an array at the path matches when one of its numbers is within both bounds. Text, booleans and
 * missing values never match.
 */
export interface AttributeRange {
  'path'?: (string);
  /**
   * Inclusive; at least one of the two.
   */
  'min'?: (number | string);
  'max'?: (number | string);
  '_min'?: "min";
  '_max'?: "max";
}

/**
 * Numeric bounds on the value at an attribute path: `year`, `dims.height` (keys of letters, digits,
 * `_` or `-`, at most 64 characters each, at most 4 deep). Arrays on the way are looked into, and
 * an array at the path matches when one of its numbers is within both bounds. Text, booleans and
 * missing values never match.
 */
export interface AttributeRange__Output {
  'path': (string);
  /**
   * Inclusive; at least one of the two.
   */
  'min'?: (number);
  'max'?: (number);
  '_min'?: "min";
  '_max'?: "max";
}
