import type { ConsumerDeserializer, IncomingRequest, ProducerSerializer } from '@nestjs/microservices';
import { createCodec } from '@parley/contracts';

/**
 * Nest's NATS envelope ({pattern, data, id} → {response, err, isDisposed, id}) in MessagePack instead
 * of JSON: binary payloads (raw messages, offline store) cross services as bytes, and encoding is cheaper.
 */
const codec = createCodec();

export class MsgpackRequestDeserializer implements ConsumerDeserializer {
  deserialize(value: Uint8Array, options?: { channel?: string }): IncomingRequest {
    const decoded = codec.decode(value) as Partial<IncomingRequest> | null;
    // Like Nest's IncomingRequestDeserializer: a message without the envelope is an event on its subject.
    if (decoded && (decoded.pattern !== undefined || decoded.data !== undefined)) return decoded as IncomingRequest;
    return { pattern: options?.channel, data: decoded } as IncomingRequest;
  }
}

export class MsgpackRecordSerializer implements ProducerSerializer {
  serialize(packet: unknown): { data: Uint8Array; headers: undefined } {
    return { data: codec.encode(packet), headers: undefined };
  }
}

export const rpcCodec = codec;
