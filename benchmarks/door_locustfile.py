"""Locust users for the door benchmark; ``door_benchmark.py`` runs them.

Each user is a door's tablet: it signs in once as a member of the door staff,
opens the door page for its CSRF token, then sends scans without think time.

- ``OnlineDoor``: one scan per request of a random delegate's badge, as a
  door with the network does: the first time a delegate is let in (a row
  written), every later time refused as "already in" (read, locked, answered).
- ``OfflineDoor``: queues of 20 scans made offline, as a tablet sends when
  the network returns: every scan is written (the second entry of a badge
  flagged), and each nonce once.

Environment: ``BENCH_BADGE_HASHES`` (a file with one badge hash a line),
``BENCH_DOOR_USER`` and ``BENCH_DOOR_PASSWORD``, ``BENCH_EVENT_SLUG``.
"""

import datetime
import json
import os
import random
import re
import uuid

from locust import FastHttpUser, task

HASHES = open(os.environ["BENCH_BADGE_HASHES"]).read().split()
USER = os.environ.get("BENCH_DOOR_USER", "door")
PASSWORD = os.environ.get("BENCH_DOOR_PASSWORD", "")
EVENT_SLUG = os.environ.get("BENCH_EVENT_SLUG", "")
DOOR_PATH = "/en/staff/door/"
REDEEM_PATH = f"/en/staff/door/redeem/?event={EVENT_SLUG}"
QUEUE_LENGTH = 20
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIG = re.compile(r'<script id="door-config" type="application/json">(.*?)</script>')


def new_scan(offline: bool) -> dict:
    return {
        "nonce": str(uuid.uuid4()),
        "door": "Door 2",
        "device": "benchmark",
        "scanned_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "badge_hash": random.choice(HASHES),
        "offline": offline,
    }


class DoorTablet(FastHttpUser):
    abstract = True
    insecure = True

    def on_start(self) -> None:
        origin = self.host.rstrip("/")
        login = self.client.get("/admin/login/", name="sign in")
        token = TOKEN.search(login.text).group(1)
        self.client.post(
            "/admin/login/",
            data=f"username={USER}&password={PASSWORD}&csrfmiddlewaretoken={token}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/admin/login/",
            },
            name="sign in",
        )
        page = self.client.get(DOOR_PATH, name="door page")
        self.csrf = json.loads(CONFIG.search(page.text).group(1))["csrf"]
        self.headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": self.csrf,
            "Origin": origin,
            "Referer": origin + DOOR_PATH,
        }

    def send(self, scans: list, name: str) -> None:
        with self.client.post(
            REDEEM_PATH,
            data=json.dumps({"scans": scans}),
            headers=self.headers,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif len(response.json()["answers"]) != len(scans):
                response.failure("not every scan answered")
            else:
                response.success()


class OnlineDoor(DoorTablet):
    @task
    def scan(self):
        self.send([new_scan(offline=False)], "redeem")


class OfflineDoor(DoorTablet):
    @task
    def sync(self):
        self.send([new_scan(offline=True) for _ in range(QUEUE_LENGTH)], "sync 20")
