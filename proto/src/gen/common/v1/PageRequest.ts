// Original file: common/v1/page.proto


/**
 * Asks for one page of a keyset-paginated list.
 */
export interface PageRequest {
  /**
   * Maximum number of results; 0 means the server default. Larger values are capped.
   */
  'size'?: (number);
  /**
   * Opaque cursor from a previous PageResponse.next_cursor; empty for the first page.
   */
  'cursor'?: (string);
}

/**
 * Asks for one page of a keyset-paginated list.
 */
export interface PageRequest__Output {
  /**
   * Maximum number of results; 0 means the server default. Larger values are capped.
   */
  'size': (number);
  /**
   * Opaque cursor from a previous PageResponse.next_cursor; empty for the first page.
   */
  'cursor': (string);
}
