import { ServiceModel, SmithyMember, SmithyShape } from './model';

/**
 * The Kinesis Video Archived Media model (GetClip, GetDASHStreamingSessionURL, GetHLSStreamingSessionURL, GetImages,
 * GetMediaForFragmentList, ListFragments), transcribed from the API Reference (`004_…`: each action's request members,
 * and the data types ClipFragmentSelector, HLSFragmentSelector, DASHFragmentSelector, FragmentSelector and their
 * timestamp ranges) in the Smithy JSON form that `InputValidator` reads. The SDK's own model of this service is not
 * in the npm package, so the constraints come from the API Reference; its unanchored patterns are anchored, as the
 * SDK models' are. Prose-only rules (range order, 24 hours, 300 s, SamplingInterval ≥ 200...) live in archived-media.ts.
 */
export const ARCHIVED_MEDIA_NAMESPACE = 'com.amazonaws.kinesisvideoarchivedmedia';

const id = (name: string) => `${ARCHIVED_MEDIA_NAMESPACE}#${name}`;
const member = (target: string, required = false): SmithyMember => ({
  target: target.startsWith('smithy.api#') ? target : id(target),
  traits: required ? { 'smithy.api#required': {} } : {},
});
const str = (min: number, max: number, pattern?: string): SmithyShape => ({
  type: 'string',
  traits: { 'smithy.api#length': { min, max }, ...(pattern ? { 'smithy.api#pattern': pattern } : {}) },
});
const num = (type: 'integer' | 'long', min?: number, max?: number): SmithyShape => ({
  type,
  traits: min === undefined ? {} : { 'smithy.api#range': { min, max } },
});
const enumOf = (...values: string[]): SmithyShape => ({
  type: 'enum',
  members: Object.fromEntries(values.map((v) => [v, { target: 'smithy.api#Unit', traits: { 'smithy.api#enumValue': v } }])),
});
const struct = (members: Record<string, SmithyMember>): SmithyShape => ({ type: 'structure', members });
const error = (status: number): SmithyShape => ({ type: 'structure', members: { Message: member('ErrorMessage') }, traits: { 'smithy.api#error': 'client', 'smithy.api#httpError': status } });

/** Errors every archived-media action declares; the session actions add the media and codec errors. */
const COMMON_ERRORS = ['ResourceNotFoundException', 'InvalidArgumentException', 'ClientLimitExceededException', 'NotAuthorizedException'];
const SESSION_ERRORS = [...COMMON_ERRORS, 'UnsupportedStreamMediaTypeException', 'NoDataRetentionException',
  'MissingCodecPrivateDataException', 'InvalidCodecPrivateDataException'];

const operation = (name: string, uri: string, errors: string[]): SmithyShape => ({
  type: 'operation',
  input: { target: id(`${name}Input`) },
  output: { target: id(`${name}Output`) },
  errors: errors.map((e) => ({ target: id(e) })),
  traits: { 'smithy.api#http': { method: 'POST', uri, code: 200 } },
});

const STREAM = { StreamName: member('StreamName'), StreamARN: member('ResourceARN') };
const TIMESTAMP = 'smithy.api#Timestamp';

const SHAPES: Record<string, SmithyShape> = {
  'smithy.api#Timestamp': { type: 'timestamp' },
  'smithy.api#Unit': { type: 'structure', members: {} },
  'StreamName': str(1, 256, '^[a-zA-Z0-9_.-]+$'),
  'ResourceARN': str(1, 1024, '^arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$'),
  'NextToken': str(1, 4096, '^[a-zA-Z0-9+/]+={0,2}$'),
  'FragmentNumberString': str(1, 128, '^[0-9]+$'),
  'FragmentNumberList': { type: 'list', member: member('FragmentNumberString'), traits: { 'smithy.api#length': { min: 1, max: 1000 } } },
  'ErrorMessage': { type: 'string' },
  'FragmentSelectorType': enumOf('PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'),
  'PlaybackMode': enumOf('LIVE', 'LIVE_REPLAY', 'ON_DEMAND'),
  'ContainerFormat': enumOf('FRAGMENTED_MP4', 'MPEG_TS'),
  'HLSDiscontinuityMode': enumOf('ALWAYS', 'NEVER', 'ON_DISCONTINUITY'),
  'DisplayMode': enumOf('ALWAYS', 'NEVER'),
  'Format': enumOf('JPEG', 'PNG'),
  'FormatConfigKey': enumOf('JPEGQuality'),
  'FormatConfigValue': str(0, 256, '^[a-zA-Z_0-9]+'),
  'FormatConfig': { type: 'map', key: member('FormatConfigKey'), value: member('FormatConfigValue'), traits: { 'smithy.api#length': { min: 0, max: 1 } } },
  'Expires': num('integer', 300, 43200),
  'PlaylistFragmentResults': num('long', 1, 5000),
  'ListFragmentsMaxResults': num('long', 1, 1000),
  'GetImagesMaxResults': num('long', 1, 100),
  'WidthPixels': num('integer', 1, 3840),
  'HeightPixels': num('integer', 1, 2160),
  'SamplingInterval': num('integer'),
  // Required-ness of the ranges follows each data type's page: ClipTimestampRange and TimestampRange require both ends;
  // the HLS and DASH ranges require neither (the rules depend on PlaybackMode, checked in archived-media.ts).
  'ClipTimestampRange': struct({ StartTimestamp: member(TIMESTAMP, true), EndTimestamp: member(TIMESTAMP, true) }),
  'TimestampRange': struct({ StartTimestamp: member(TIMESTAMP, true), EndTimestamp: member(TIMESTAMP, true) }),
  'PlaybackTimestampRange': struct({ StartTimestamp: member(TIMESTAMP), EndTimestamp: member(TIMESTAMP) }),
  'ClipFragmentSelector': struct({ FragmentSelectorType: member('FragmentSelectorType', true), TimestampRange: member('ClipTimestampRange', true) }),
  'FragmentSelector': struct({ FragmentSelectorType: member('FragmentSelectorType', true), TimestampRange: member('TimestampRange', true) }),
  'PlaybackFragmentSelector': struct({ FragmentSelectorType: member('FragmentSelectorType'), TimestampRange: member('PlaybackTimestampRange') }),

  'GetClipInput': struct({ ...STREAM, ClipFragmentSelector: member('ClipFragmentSelector', true) }),
  'GetHLSStreamingSessionURLInput': struct({
    ...STREAM,
    PlaybackMode: member('PlaybackMode'),
    HLSFragmentSelector: member('PlaybackFragmentSelector'),
    ContainerFormat: member('ContainerFormat'),
    DiscontinuityMode: member('HLSDiscontinuityMode'),
    DisplayFragmentTimestamp: member('DisplayMode'),
    Expires: member('Expires'),
    MaxMediaPlaylistFragmentResults: member('PlaylistFragmentResults'),
  }),
  'GetDASHStreamingSessionURLInput': struct({
    ...STREAM,
    PlaybackMode: member('PlaybackMode'),
    DisplayFragmentTimestamp: member('DisplayMode'),
    DisplayFragmentNumber: member('DisplayMode'),
    DASHFragmentSelector: member('PlaybackFragmentSelector'),
    Expires: member('Expires'),
    MaxManifestFragmentResults: member('PlaylistFragmentResults'),
  }),
  'GetImagesInput': struct({
    ...STREAM,
    ImageSelectorType: member('FragmentSelectorType', true),
    StartTimestamp: member(TIMESTAMP, true),
    EndTimestamp: member(TIMESTAMP, true),
    SamplingInterval: member('SamplingInterval'),
    Format: member('Format', true),
    FormatConfig: member('FormatConfig'),
    WidthPixels: member('WidthPixels'),
    HeightPixels: member('HeightPixels'),
    MaxResults: member('GetImagesMaxResults'),
    NextToken: member('NextToken'),
  }),
  'GetMediaForFragmentListInput': struct({ ...STREAM, Fragments: member('FragmentNumberList', true) }),
  'ListFragmentsInput': struct({
    ...STREAM,
    MaxResults: member('ListFragmentsMaxResults'),
    NextToken: member('NextToken'),
    FragmentSelector: member('FragmentSelector'),
  }),

  'GetClip': operation('GetClip', '/getClip', [...SESSION_ERRORS, 'InvalidMediaFrameException']),
  'GetHLSStreamingSessionURL': operation('GetHLSStreamingSessionURL', '/getHLSStreamingSessionURL', SESSION_ERRORS),
  'GetDASHStreamingSessionURL': operation('GetDASHStreamingSessionURL', '/getDASHStreamingSessionURL', SESSION_ERRORS),
  'GetImages': operation('GetImages', '/getImages', [...COMMON_ERRORS, 'NoDataRetentionException']),
  'GetMediaForFragmentList': operation('GetMediaForFragmentList', '/getMediaForFragmentList', COMMON_ERRORS),
  'ListFragments': operation('ListFragments', '/listFragments', COMMON_ERRORS),

  // HTTP statuses from each action's Errors section.
  'ResourceNotFoundException': error(404),
  'InvalidArgumentException': error(400),
  'ClientLimitExceededException': error(400),
  'NotAuthorizedException': error(401),
  'UnsupportedStreamMediaTypeException': error(400),
  'NoDataRetentionException': error(400),
  'MissingCodecPrivateDataException': error(400),
  'InvalidCodecPrivateDataException': error(400),
  'InvalidMediaFrameException': error(400),
};

export function loadArchivedMediaModel(): ServiceModel {
  return ServiceModel.fromShapes(Object.fromEntries(Object.entries(SHAPES).map(([name, shape]) => [name.includes('#') ? name : id(name), shape])),
    ARCHIVED_MEDIA_NAMESPACE);
}
