import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Money as _common_v1_Money, Money__Output as _common_v1_Money__Output } from './common/v1/Money.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  common: {
    v1: {
      Money: MessageTypeDefinition<_common_v1_Money, _common_v1_Money__Output>
    }
  }
}

