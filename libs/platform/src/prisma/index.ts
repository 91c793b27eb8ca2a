export * from './prisma.service';
export * from './prisma.module';
export { Prisma } from './generated/client';
export type { App, Gateway, Session } from './generated/client';
export * from './data-ownership';
export * from './advisory-locks';
