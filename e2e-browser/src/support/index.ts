export * from './browser-suite';
export * from './chromium';
export * from './failures';
export * from './in-page';
export * from './page-server';
export * from './screenshots';
