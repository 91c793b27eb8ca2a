export * from './instruments';
export * from './registry';
export * from './cached-value';
import './process.metrics';
