// Original file: common/v1/page.proto


/**
 * Describes the page that was returned.
 */
export interface PageResponse {
  /**
   * Opaque cursor of the next page; empty when this page is the last.
   */
  'next_cursor'?: (string);
}

/**
 * Describes the page that was returned.
 */
export interface PageResponse__Output {
  /**
   * Opaque cursor of the next page; empty when this page is the last.
   */
  'next_cursor': (string);
}
