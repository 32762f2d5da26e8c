/* The live attendance: the counts fetched again every 15 seconds. */
"use strict";

(function () {
  const root = document.querySelector("[data-attendance]");
  if (!root) return;
  const url = root.dataset.attendance;
  const tables = { by_category: "by-category", by_delegation: "by-delegation", by_session: "by-session" };

  function fill(body, rows) {
    const tbody = document.getElementById(body);
    if (!tbody) return;
    tbody.replaceChildren(
      ...(rows.length ? rows : [{ label: "–", in: "", approved: "" }]).map((row) => {
        const line = document.createElement("tr");
        for (const value of [row.label, row.in, row.approved]) {
          const cell = document.createElement("td");
          cell.textContent = value;
          line.append(cell);
        }
        return line;
      }),
    );
  }

  async function update() {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const counts = await response.json();
      for (const key of ["in", "approved", "flagged"]) {
        document.getElementById("attendance-" + key).textContent = counts[key];
      }
      document.getElementById("attendance-updated").textContent = new Intl.DateTimeFormat(
        document.documentElement.lang,
        {
          hour: "2-digit",
          minute: "2-digit",
          second: "2-digit",
          hourCycle: "h23",
          timeZone: root.dataset.timeZone,
        },
      ).format(new Date(counts.generated_at));
      for (const [key, body] of Object.entries(tables)) fill(body, counts[key]);
    } catch (error) {
      console.warn("Attendance: not updated", error);
    }
  }

  setInterval(update, 15000);
})();
