/* The door's own judgement, for when the server cannot be asked.
 *
 * The device holds the list of approved delegates with the SHA-256 of their
 * badges' secrets (never the secrets), the hashes of badges to refuse with
 * their reason, and the entries it knows of. It hashes what the camera read
 * and looks the hash up; the same rules as the server's, on the same data.
 */
"use strict";

window.DoorCheck = (function () {
  const SHORT_CODE = /^[0-9A-HJKMNP-TV-Z]{8}$/;

  async function sha256Hex(text) {
    const bytes = new TextEncoder().encode(text);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (byte) =>
      byte.toString(16).padStart(2, "0"),
    ).join("");
  }

  /* A list's indexes: delegates by badge hash and by registration number. */
  function indexed(manifest) {
    const byHash = new Map();
    const byId = new Map();
    for (const delegate of manifest.delegates) {
      byId.set(delegate.id, delegate);
      for (const hash of delegate.badges) byHash.set(hash, delegate);
    }
    return { manifest, byHash, byId };
  }

  /* Lower case, no accents, no spaces at the ends: "Nguyễn" finds "nguyen". */
  function folded(text) {
    return (text || "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .trim();
  }

  /* The typed text as a short code (capitals, O read as 0, I and L as 1). */
  function asShortCode(text) {
    const code = text
      .replace(/[\s-]/g, "")
      .toUpperCase()
      .replace(/O/g, "0")
      .replace(/[ILU]/g, "1");
    return SHORT_CODE.test(code) ? code : null;
  }

  /* Approved delegates whose name, organisation or delegation hold every word. */
  function search(index, text, limit) {
    const words = folded(text).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const found = [];
    for (const delegate of index.manifest.delegates) {
      const haystack = folded(
        [
          delegate.name,
          delegate.name_ja,
          delegate.organisation,
          delegate.delegation,
        ].join(" "),
      );
      if (words.every((word) => haystack.includes(word))) {
        found.push(delegate);
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  /* The device's answer for a delegate (found by badge or by search).
   *
   * ``entries`` maps a registration number to its first entry known here
   * ({at, door}); ``session`` is the room's session number, or null for the
   * venue's entrance.
   */
  function judgeDelegate(delegate, entries, session) {
    if (session !== null && !delegate.sessions.includes(session)) {
      return { admitted: false, check: "not_in_session", delegate };
    }
    const entered =
      entries[delegate.id] || (session === null ? delegate.entered : null);
    if (entered) {
      return { admitted: false, check: "already_in", delegate, entered };
    }
    return { admitted: true, check: "valid", delegate };
  }

  /* The device's answer for a badge hash. */
  function judgeHash(index, hash, entries, session) {
    const refused = index.manifest.refused[hash];
    if (refused) return { admitted: false, check: refused };
    const delegate = index.byHash.get(hash);
    if (!delegate) return { admitted: false, check: "unknown" };
    return judgeDelegate(delegate, entries, session);
  }

  return { sha256Hex, indexed, folded, asShortCode, search, judgeDelegate, judgeHash };
})();
