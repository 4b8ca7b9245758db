export * from './media-type';
export * from './stream';
export * from './signaling-channel';
