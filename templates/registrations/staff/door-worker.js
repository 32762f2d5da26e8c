{% load static %}/* The door's service worker: the page and its files kept for a day offline.
 *
 * The page itself is asked of the network first (so that a new version and
 * a signed-out session are seen), and served from the cache when the network
 * is gone; its scripts and styles come from the cache. Data and scans always
 * go to the network: the page keeps those itself, in IndexedDB.
 */
"use strict";

const CACHE = "door-v1";
const PAGE = "{% url 'registrations:door' %}";
const FILES = [
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}",
  "{% static 'css/door.css' %}",
  "{% static 'vendor/jsqr/jsQR.js' %}",
  "{% static 'vendor/idb-keyval/idb-keyval.js' %}",
  "{% static 'js/door-check.js' %}",
  "{% static 'js/door.js' %}",
  "{% static 'favicon.svg' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(PAGE)),
    );
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((kept) => kept || fetch(event.request)));
  }
});
