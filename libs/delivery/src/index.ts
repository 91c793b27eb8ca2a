// Message delivery shared by every sender (gateway sessions, the server API).
export * from './message-rules';
export * from './peer-delivery';
export * from './peer-routes';
export * from './channel-delivery';
export * from './message-capture';
export * from './history-capture';
export * from './history-stream';
export * from './delivery.module';
