// The viewer's logic: GET {api}/streams/{stream}/hls?playbackMode=... answers { url, expiresAt }; hls.js plays url.
(function () {
  'use strict';

  var video = document.getElementById('video');
  var statusLine = document.getElementById('status');

  function show(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  function settings() {
    var query = new URLSearchParams(window.location.search);
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    return {
      api: (query.get('api') || '').replace(/\/+$/, ''),
      stream: query.get('stream') || '',
      playbackMode: query.get('playbackMode') || 'LIVE',
      token: fragment.get('token') || query.get('token') || '',
    };
  }

  function sessionUrl(s) {
    var headers = s.token ? { Authorization: 'Bearer ' + s.token } : {};
    var route = s.api + '/streams/' + encodeURIComponent(s.stream) + '/hls?playbackMode=' + encodeURIComponent(s.playbackMode);
    return fetch(route, { headers: headers }).then(function (response) {
      return response.text().then(function (text) {
        var body;
        try { body = JSON.parse(text); } catch (e) { body = { message: text }; }
        if (!response.ok) throw new Error('The playback API answered ' + response.status + ': ' + (body.message || text));
        if (!body.url) throw new Error('The playback API answered no url');
        return body;
      });
    });
  }

  function play(session) {
    show('loading', 'Session until ' + session.expiresAt);
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ liveDurationInfinity: true });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (data.fatal) show('error', 'Playback failed: ' + data.type + ' ' + data.details);
      });
      hls.loadSource(session.url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = session.url; // Safari plays HLS natively.
    } else {
      throw new Error('This browser supports neither Media Source Extensions nor native HLS');
    }
    video.addEventListener('playing', function () { show('playing', 'Playing ' + settings().stream); });
    video.play().catch(function () { /* autoplay may wait for the media; the playing event reports it */ });
  }

  var s = settings();
  if (!s.api || !s.stream) {
    show('error', 'Give the API base URL and the stream name: ?api=https://...&stream=...');
    return;
  }
  sessionUrl(s).then(play).catch(function (err) { show('error', err.message); });
})();
