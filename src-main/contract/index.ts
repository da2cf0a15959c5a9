export * from './errors';
export * from './jobs';
export * from './profiles';
export * from './tools';
export * from './keys';
export * from './channels';
export * from './api';
export * from './backups';
