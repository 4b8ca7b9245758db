/*
 * What devices call, in one place: the grants of `Stream` and `SignalingChannel` and the role of
 * `CameraFleetIdentity` give exactly these, so a camera with fleet credentials can do what `grantWrite` allows.
 */

/** What a producer calls: PutMedia, and the two calls that find the stream's data endpoint. */
export const PRODUCER_ACTIONS = ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'];

/** Every call of a consumer: live and archived media, fragments, clips, HLS, DASH and images. */
export const READ_ACTIONS = [
  'kinesisvideo:GetMedia',
  'kinesisvideo:GetDataEndpoint',
  'kinesisvideo:DescribeStream',
  'kinesisvideo:ListFragments',
  'kinesisvideo:GetMediaForFragmentList',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetHLSStreamingSessionURL',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:GetImages',
];

/** What a player's backend calls to hand out a playback URL or a clip. */
export const PLAYBACK_ACTIONS = [
  'kinesisvideo:GetHLSStreamingSessionURL',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetDataEndpoint',
];

/** Producers need this on a customer managed key (KVS Developer Guide, "Data protection"). */
export const PRODUCER_KEY_ACTIONS = ['kms:GenerateDataKey'];

/** The calls a peer makes to find the channel's endpoints and ICE servers, shared by masters and viewers. */
export const PEER_ACTIONS = [
  'kinesisvideo:GetSignalingChannelEndpoint',
  'kinesisvideo:GetIceServerConfig',
  'kinesisvideo:DescribeSignalingChannel',
];

/** What a master peer calls (the camera side). */
export const MASTER_ACTIONS = ['kinesisvideo:ConnectAsMaster', ...PEER_ACTIONS];
