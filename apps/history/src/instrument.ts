import { startTelemetry } from '@parley/platform/telemetry';

startTelemetry('history');
