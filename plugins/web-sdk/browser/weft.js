/*!
 * weft.js — the Weft browser SDK (Apache-2.0). Served by Weft at /sdk/weft.js.
 * Plain ES2018, no dependencies. API and options: plugins/web-sdk/README.md.
 */
(function (window, document) {
  'use strict';

  var VERSION = '0.1.0';
  var METHODS = ['load', 'page', 'track', 'identify', 'group', 'alias', 'reset', 'flush'];

  // A snippet may have queued calls in an array before this file arrived; replay them after setup.
  var stub = window.weft;
  if (stub && stub.initialized) return;
  var pendingCalls = Array.isArray(stub) ? stub.slice() : [];

  // Captured now: `document.currentScript` is only set while this file runs.
  var scriptOrigin = (function () {
    var script = document.currentScript;
    try {
      return script && script.src ? new URL(script.src, window.location.href).origin : undefined;
    } catch (error) {
      return undefined;
    }
  })();

  var DEFAULTS = {
    host: scriptOrigin,
    /** Send as soon as this many events are queued… */
    flushAt: 20,
    /** …or this long after the first one was queued. */
    flushInterval: 1000,
    /** Oldest events are dropped (with a warning) beyond this. */
    maxQueueSize: 1000,
    /** First retry waits about this long; each further one doubles it, up to `retryMaxDelay`. */
    retryBaseDelay: 1000,
    retryMaxDelay: 60000,
  };

  // Ingest limits (Segment's): 32 KB per event, 500 KB per request. Beacons are capped at 64 KB in flight.
  var MAX_EVENT_BYTES = 32 * 1024;
  var MAX_BATCH_BYTES = 450 * 1024;
  var MAX_BEACON_BYTES = 60 * 1024;

  var KEYS = { anonymousId: 'weft_anonymous_id', userId: 'weft_user_id', traits: 'weft_user_traits', queuePrefix: 'weft_queue:' };

  function warn(message, detail) {
    if (window.console && console.warn) console.warn('[weft] ' + message, detail === undefined ? '' : detail);
  }

  // ------------------------------------------------------------------ storage

  var local = (function () {
    try {
      var storage = window.localStorage;
      storage.setItem('weft_probe', '1');
      storage.removeItem('weft_probe');
      return storage;
    } catch (error) {
      return undefined; // private mode, disabled storage, sandboxed iframe
    }
  })();
  var memory = {};

  function readCookie(name) {
    var pairs = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < pairs.length; i++) {
      var separator = pairs[i].indexOf('=');
      if (pairs[i].slice(0, separator) === name) {
        try {
          return decodeURIComponent(pairs[i].slice(separator + 1));
        } catch (error) {
          return undefined;
        }
      }
    }
    return undefined;
  }

  function writeCookie(name, value) {
    var secure = window.location.protocol === 'https:' ? '; Secure' : '';
    var lifetime = value === undefined ? 'max-age=0' : 'max-age=31536000';
    document.cookie = name + '=' + encodeURIComponent(value === undefined ? '' : value) + '; ' + lifetime + '; path=/; SameSite=Lax' + secure;
  }

  function readLocal(key) {
    if (local) {
      try {
        var value = local.getItem(key);
        if (value !== null) return value;
      } catch (error) {
        // fall through to memory
      }
    }
    return memory[key];
  }

  function writeLocal(key, value) {
    if (value === undefined) delete memory[key];
    else memory[key] = value;
    if (!local) return;
    try {
      if (value === undefined) local.removeItem(key);
      else local.setItem(key, value);
    } catch (error) {
      // Quota exceeded: the memory copy keeps working for this page.
    }
  }

  /** Identity values live in localStorage and in a first-party cookie, so clearing one does not lose the visitor. */
  var identity = {
    get: function (key) {
      var value = readLocal(key);
      if (value === undefined || value === null) value = readCookie(key);
      return value === undefined || value === null || value === '' ? undefined : value;
    },
    set: function (key, value) {
      writeLocal(key, value);
      writeCookie(key, value);
    },
  };

  function readJson(key, fallback) {
    var text = readLocal(key);
    if (text === undefined || text === null) return fallback;
    try {
      return JSON.parse(text);
    } catch (error) {
      return fallback;
    }
  }

  // ------------------------------------------------------------------ ids and context

  function uuid() {
    var crypto = window.crypto;
    if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.from(bytes, function (byte) {
      return byte.toString(16).padStart(2, '0');
    }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function anonymousId() {
    var id = identity.get(KEYS.anonymousId);
    if (!id) {
      id = uuid();
      identity.set(KEYS.anonymousId, id);
    }
    return id;
  }

  function pageProperties() {
    return {
      path: window.location.pathname,
      referrer: document.referrer,
      search: window.location.search,
      title: document.title,
      url: window.location.href,
    };
  }

  function baseContext() {
    var context = {
      library: { name: 'weft.js', version: VERSION },
      page: pageProperties(),
      userAgent: navigator.userAgent,
      locale: navigator.language,
    };
    try {
      context.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      // Old engines without Intl: leave it out.
    }
    if (window.screen) context.screen = { width: window.screen.width, height: window.screen.height, density: window.devicePixelRatio };
    return context;
  }

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  var encoder = new TextEncoder();
  function byteLength(text) {
    return encoder.encode(text).length;
  }

  // ------------------------------------------------------------------ the client

  var options = null; // set by load()
  var beforeLoad = []; // events created before load(), queued once the write key is known
  var flushTimer;
  var retryTimer;
  var retryCount = 0;
  var draining; // the running drain, so there is only ever one

  function queueKey() {
    return KEYS.queuePrefix + options.writeKey;
  }

  function readQueue() {
    var queue = readJson(queueKey(), []);
    return Array.isArray(queue) ? queue : [];
  }

  function writeQueue(queue) {
    writeLocal(queueKey(), queue.length ? JSON.stringify(queue) : undefined);
  }

  /**
   * The queue lives in localStorage so events survive reloads; every change re-reads it, so tabs
   * sharing it lose nothing. Two tabs may send the same event: ingest ignores a repeated messageId.
   */
  function enqueue(event) {
    var queue = readQueue();
    queue.push(event);
    if (queue.length > options.maxQueueSize) {
      var dropped = queue.splice(0, queue.length - options.maxQueueSize);
      warn('queue full: dropped the ' + dropped.length + ' oldest event(s)');
    }
    writeQueue(queue);
    if (retryTimer) return; // a retry is already scheduled; it sends everything queued
    if (queue.length >= options.flushAt) drain();
    else scheduleFlush();
  }

  function scheduleFlush() {
    if (!flushTimer && !retryTimer) flushTimer = setTimeout(drain, options.flushInterval);
  }

  function removeFromQueue(batch) {
    var sent = {};
    batch.forEach(function (event) {
      sent[event.messageId] = true;
    });
    writeQueue(
      readQueue().filter(function (event) {
        return !sent[event.messageId];
      }),
    );
  }

  /** The oldest events that fit in one request of at most `maxBytes`. */
  function nextBatch(queue, maxBytes) {
    var batch = [];
    var bytes = 200; // the envelope: sentAt, writeKey, brackets
    for (var i = 0; i < queue.length; i++) {
      var size = byteLength(JSON.stringify(queue[i])) + 1;
      if (batch.length > 0 && bytes + size > maxBytes) break;
      batch.push(queue[i]);
      bytes += size;
    }
    return batch;
  }

  function requestBody(batch) {
    return JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: options.writeKey });
  }

  function parseRetryAfter(value) {
    if (!value) return undefined;
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    var date = Date.parse(value);
    return isNaN(date) ? undefined : Math.max(0, date - Date.now());
  }

  /**
   * One POST. `text/plain` with the write key in the body keeps it a CORS "simple request":
   * no preflight round trip before every batch.
   */
  function post(batch) {
    var body = requestBody(batch);
    return fetch(options.host + '/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: body,
      credentials: 'omit',
      keepalive: byteLength(body) < MAX_BEACON_BYTES,
    }).then(
      function (response) {
        if (response.ok) return { outcome: 'sent' };
        if (response.status === 429 || response.status === 408 || response.status >= 500) {
          return { outcome: 'retry', retryAfter: parseRetryAfter(response.headers.get('Retry-After')), reason: 'HTTP ' + response.status };
        }
        return response.text().then(
          function (text) {
            return { outcome: 'drop', reason: 'HTTP ' + response.status + ' ' + text.slice(0, 500) };
          },
          function () {
            return { outcome: 'drop', reason: 'HTTP ' + response.status };
          },
        );
      },
      function (error) {
        return { outcome: 'retry', reason: String((error && error.message) || error) };
      },
    );
  }

  /** Exponential backoff with jitter: half the ceiling plus a random share of the other half. */
  function backoff(attempt) {
    var ceiling = Math.min(options.retryMaxDelay, options.retryBaseDelay * Math.pow(2, attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  function scheduleRetry(result) {
    retryCount += 1;
    var delay = result.retryAfter !== undefined ? result.retryAfter : backoff(retryCount);
    retryTimer = setTimeout(function () {
      retryTimer = undefined;
      drain();
    }, delay);
  }

  /** Sends queued batches one after the other until the queue is empty or a retry is scheduled. */
  function drain() {
    if (flushTimer) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (!options) return Promise.resolve();
    if (draining) return draining;
    draining = (function next() {
      var batch = nextBatch(readQueue(), MAX_BATCH_BYTES);
      if (batch.length === 0) {
        retryCount = 0;
        return Promise.resolve();
      }
      return post(batch).then(function (result) {
        if (result.outcome === 'retry') return scheduleRetry(result);
        if (result.outcome === 'drop') warn('Weft refused ' + batch.length + ' event(s); they are dropped: ' + result.reason);
        retryCount = 0;
        removeFromQueue(batch);
        return next();
      });
    })().then(function () {
      draining = undefined;
      // Events queued while the last batch was answered wait for the next interval.
      if (readQueue().length > 0) scheduleFlush();
    });
    return draining;
  }

  /**
   * The page may be going away: hand everything queued to `sendBeacon`, which outlives the page.
   * Beaconed events leave the queue; ones the browser refuses stay for the next page load, and so
   * does everything while the browser knows it is offline (a beacon would be lost).
   */
  function sendBeacons() {
    if (!options || !navigator.sendBeacon || navigator.onLine === false) return;
    var queue = readQueue();
    while (queue.length > 0) {
      var batch = nextBatch(queue, MAX_BEACON_BYTES);
      var blob = new Blob([requestBody(batch)], { type: 'text/plain;charset=UTF-8' });
      if (!navigator.sendBeacon(options.host + '/v1/batch', blob)) break;
      removeFromQueue(batch);
      queue = queue.slice(batch.length);
    }
  }

  // ------------------------------------------------------------------ building events

  function userId() {
    return identity.get(KEYS.userId);
  }

  function record(type, fields, callOptions) {
    var event = {
      type: type,
      messageId: uuid(),
      anonymousId: anonymousId(),
      originalTimestamp: new Date().toISOString(),
      context: baseContext(),
    };
    var currentUserId = userId();
    if (currentUserId) event.userId = currentUserId;
    Object.keys(fields).forEach(function (key) {
      if (fields[key] !== undefined) event[key] = fields[key];
    });
    if (isObject(callOptions) && isObject(callOptions.context)) event.context = Object.assign(event.context, callOptions.context);
    if (isObject(callOptions) && isObject(callOptions.integrations)) event.integrations = callOptions.integrations;
    var bytes = byteLength(JSON.stringify(event));
    if (bytes > MAX_EVENT_BYTES) {
      warn(type + ' event is ' + bytes + ' bytes; the limit is ' + MAX_EVENT_BYTES + '. It is dropped.');
      return;
    }
    if (options) enqueue(event);
    else beforeLoad.push(event);
  }

  var weft = {
    VERSION: VERSION,
    initialized: true,

    /**
     * Starts sending. `host` defaults to the origin this script was loaded from.
     * weft.load('wk_…', { host: 'https://weft.example.com', flushAt: 20, flushInterval: 1000 })
     */
    load: function (writeKey, loadOptions) {
      if (options) return warn('load() was called twice; the second call is ignored');
      if (typeof writeKey !== 'string' || writeKey === '') return warn('load() needs the source write key as its first argument');
      var merged = Object.assign({}, DEFAULTS, loadOptions || {}, { writeKey: writeKey });
      if (!merged.host) return warn('load() needs { host: "https://<your weft>" } when weft.js is not loaded from Weft');
      merged.host = String(merged.host).replace(/\/+$/, '');
      options = merged;
      var early = beforeLoad;
      beforeLoad = [];
      early.forEach(enqueue);
      // Events a previous page left behind go out now.
      if (readQueue().length > 0) drain();
    },

    /** page([name], [properties], [options]) — records a page view; properties default to the page's url, path, title, referrer, search. */
    page: function (name, properties, callOptions) {
      if (isObject(name)) {
        callOptions = properties;
        properties = name;
        name = undefined;
      }
      record('page', { name: typeof name === 'string' ? name : undefined, properties: Object.assign(pageProperties(), properties || {}) }, callOptions);
    },

    /** track(event, [properties], [options]) — records an action. */
    track: function (event, properties, callOptions) {
      if (typeof event !== 'string' || event === '') return warn('track() needs an event name');
      record('track', { event: event, properties: properties || {} }, callOptions);
    },

    /** identify([userId], [traits], [options]) — remembers the user id and traits, and records them. */
    identify: function (id, traits, callOptions) {
      if (isObject(id)) {
        callOptions = traits;
        traits = id;
        id = undefined;
      }
      if (id !== undefined && id !== null && id !== '') {
        id = String(id);
        // A different person signed in: their traits start afresh.
        if (userId() && userId() !== id) writeLocal(KEYS.traits, undefined);
        identity.set(KEYS.userId, id);
      }
      var stored = Object.assign(readJson(KEYS.traits, {}), traits || {});
      writeLocal(KEYS.traits, JSON.stringify(stored));
      record('identify', { traits: stored }, callOptions);
    },

    /** group(groupId, [traits], [options]) — links the user to an account or organisation. */
    group: function (groupId, traits, callOptions) {
      if (groupId === undefined || groupId === null || groupId === '') return warn('group() needs a group id');
      record('group', { groupId: String(groupId), traits: traits || {} }, callOptions);
    },

    /** alias(userId, [previousId], [options]) — says `userId` and `previousId` (default: the current id) are one person. */
    alias: function (id, previousId, callOptions) {
      if (id === undefined || id === null || id === '') return warn('alias() needs the new user id');
      var previous = previousId === undefined || previousId === null ? userId() || anonymousId() : String(previousId);
      record('alias', { userId: String(id), previousId: previous }, callOptions);
    },

    /** reset() — forgets the user id and traits and starts a new anonymous id (call it on sign-out). */
    reset: function () {
      identity.set(KEYS.userId, undefined);
      identity.set(KEYS.anonymousId, undefined);
      writeLocal(KEYS.traits, undefined);
    },

    /** flush() — sends what is queued now; resolves when the queue is empty or a retry is scheduled. */
    flush: function () {
      return drain();
    },

    /** user() — who events are attributed to right now. */
    user: function () {
      return { anonymousId: anonymousId(), userId: userId(), traits: readJson(KEYS.traits, {}) };
    },
  };

  window.addEventListener('pagehide', sendBeacons);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') sendBeacons();
  });
  // Back online: send now rather than wait for the backoff.
  window.addEventListener('online', function () {
    if (!retryTimer) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    drain();
  });

  window.weft = weft;
  pendingCalls.forEach(function (call) {
    if (!call || !METHODS.includes(call[0])) return;
    weft[call[0]].apply(weft, Array.prototype.slice.call(call, 1));
  });
})(window, document);
