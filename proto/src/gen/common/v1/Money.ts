// Original file: common/v1/money.proto

import type { Long } from '@grpc/proto-loader';

/**
 * An amount of money in the minor unit of its currency (cents for USD, yen for JPY).
 */
export interface Money {
  /**
   * Amount in minor units; never negative for prices.
   */
  'amount_minor'?: (number | string | Long);
  /**
   * ISO 4217 alphabetic code, upper case (for example "EUR").
   */
  'currency'?: (string);
}

/**
 * An amount of money in the minor unit of its currency (cents for USD, yen for JPY).
 */
export interface Money__Output {
  /**
   * Amount in minor units; never negative for prices.
   */
  'amount_minor': (string);
  /**
   * ISO 4217 alphabetic code, upper case (for example "EUR").
   */
  'currency': (string);
}
