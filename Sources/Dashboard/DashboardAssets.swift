/// The dashboard's script and stylesheet, shipped inside the binary (no CDN, no framework): the script keeps
/// the overview live from the server's event stream and draws only the rows in view; on a Canary's page it
/// refreshes the live part on each change and sends the actions, each after a confirmation.
enum DashboardAssets {
    static let script = #"""
        "use strict";
        (function () {
          const token = document.querySelector('meta[name="serin-token"]').content;
          const page = document.body.dataset.page;
          if (page === "overview") overview();
          if (page === "canary") canary();

          function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

          function overview() {
            const rows = new Map();
            for (const row of JSON.parse(document.getElementById("initial").textContent)) rows.set(row.key, row);
            const list = document.getElementById("list"), body = document.getElementById("rows");
            const filter = document.getElementById("filter"), count = document.getElementById("count");
            const rowHeight = 34;
            let scheduled = false;
            function spacer(height) {
              const tr = document.createElement("tr");
              tr.className = "spacer"; tr.setAttribute("aria-hidden", "true"); tr.style.height = height + "px";
              return tr;
            }
            function line(row) {
              const tr = document.createElement("tr");
              tr.id = "row-" + row.key; tr.dataset.key = row.key;
              tr.appendChild(cell(row.namespace));
              const name = document.createElement("td"), link = document.createElement("a");
              link.href = "/canary/" + row.key; link.textContent = row.name; name.appendChild(link); tr.appendChild(name);
              tr.appendChild(cell(row.phase)).className = "phase";
              const weight = document.createElement("td"), bar = document.createElement("progress");
              bar.max = 100; bar.value = row.weight; bar.setAttribute("aria-label", "weight of " + row.key);
              const text = document.createElement("span"); text.className = "weight"; text.textContent = " " + row.weight + "%";
              weight.append(bar, text); tr.appendChild(weight);
              tr.appendChild(cell(row.failed + " of " + row.threshold));
              tr.appendChild(cell(row.holds.length ? row.holds.join(", ") : "-"));
              tr.appendChild(cell(row.since));
              return tr;
            }
            function render() {
              scheduled = false;
              const term = filter.value.trim().toLowerCase();
              const shown = [...rows.values()].filter(r => !term || r.key.toLowerCase().includes(term))
                .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
              count.textContent = shown.length + " canaries";
              const first = Math.max(0, Math.floor(list.scrollTop / rowHeight) - 10);
              const last = Math.min(shown.length, first + Math.ceil(list.clientHeight / rowHeight) + 20);
              body.replaceChildren(spacer(first * rowHeight), ...shown.slice(first, last).map(line), spacer((shown.length - last) * rowHeight));
            }
            function schedule() { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } }
            list.addEventListener("scroll", schedule);
            filter.addEventListener("input", schedule);
            const source = new EventSource("/stream");
            source.addEventListener("row", e => { const row = JSON.parse(e.data); rows.set(row.key, row); schedule(); });
            source.addEventListener("gone", e => { rows.delete(JSON.parse(e.data).key); schedule(); });
            render();
            document.body.dataset.rendered = String(Math.round(performance.now()));
          }

          function canary() {
            const key = document.body.dataset.canary;
            const live = document.getElementById("live"), result = document.getElementById("result");
            let waiting = false;
            async function refresh() {
              const response = await fetch("/canary/" + key + "/live");
              if (response.ok) live.innerHTML = await response.text();
            }
            const source = new EventSource("/stream/canary/" + key);
            source.addEventListener("changed", () => {
              if (waiting) return;
              waiting = true;
              setTimeout(() => { waiting = false; refresh(); }, 150);
            });
            for (const button of document.querySelectorAll("button[data-action]")) {
              button.addEventListener("click", async () => {
                const action = button.dataset.action;
                if (!window.confirm(action + " canary " + key + "?")) return;
                result.className = ""; result.textContent = action + ": asking the cluster…";
                const response = await fetch("/canary/" + key + "/" + action, { method: "POST", headers: { "X-Serin-Token": token } });
                const answer = await response.json().catch(() => ({ message: response.statusText }));
                result.className = response.ok ? "ok" : "error";
                result.textContent = response.ok ? answer.message + " — the operator carries it out; the page follows."
                  : "Refused (" + response.status + "): " + answer.message;
              });
            }
          }
        })();
        """#

    static let stylesheet = """
        body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
        header { display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap; padding: .6em 1.2em; border-bottom: 1px solid #bbb; }
        h1 { font-size: 1.3em; margin: 0; } h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
        .scope { font-weight: normal; color: #444; }
        main { padding: 0 1.2em 2em; }
        .list { height: 70vh; overflow-y: auto; border: 1px solid #ccc; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
        tbody tr:not(.spacer) { height: 34px; }
        thead th { position: sticky; top: 0; background: #f3f3f3; }
        a { color: #0b5cad; } a:focus, button:focus, input:focus, .list:focus { outline: 3px solid #E69F00; outline-offset: 1px; }
        button { font: inherit; padding: .3em .9em; border: 1px solid #0b5cad; border-radius: 4px; background: #fff; color: #0b5cad; cursor: pointer; }
        progress { width: 8em; vertical-align: middle; }
        dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
        dt { font-weight: 600; } dd { margin: 0; }
        figure { display: inline-block; margin: .4em 1em .4em 0; }
        .chart text.axis { font-size: 10px; fill: #444; }
        .error { color: #a33a00; font-weight: 600; } .ok { color: #005a8c; }
        """
}
