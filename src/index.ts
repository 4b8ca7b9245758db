export * from './media-type';
export * from './stream';
export * from './signaling-channel';
export * from './notification';
export * from './image-generation';
export * from './edge-configuration';
export * from './stream-settings';
export * from './channel-settings';
