export * from './stack';
export * from './env';
export * from './apps';
export * from './wait';
export * from './otlp-collector';
export * from './wire-client';
export * from './s3';
export * from './metrics';
