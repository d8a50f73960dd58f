// Follows queued and running bundles on the bundle list: asks the status URL every few seconds,
// updates the progress bars, and reloads the page once a bundle has finished (for its download link).
(function () {
  var table = document.getElementById("bundle-list");
  if (!table) return;
  var seconds = parseInt(table.dataset.pollSeconds, 10) || 3;
  function activeRows() {
    return Array.prototype.filter.call(table.querySelectorAll("tr[data-bundle]"), function (row) {
      return row.dataset.state === "queued" || row.dataset.state === "running";
    });
  }
  function poll() {
    var rows = activeRows();
    if (!rows.length) return;
    var query = rows.map(function (row) { return "id=" + encodeURIComponent(row.dataset.bundle); }).join("&");
    fetch(table.dataset.statusUrl + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        var finished = false;
        data.bundles.forEach(function (bundle) {
          var row = table.querySelector('tr[data-bundle="' + bundle.id + '"]');
          if (!row) return;
          row.querySelector(".bundle-progress").value = bundle.percent;
          row.querySelector(".bundle-progress").textContent = bundle.percent + "%";
          row.querySelector(".bundle-percent").textContent = bundle.percent + "%";
          row.querySelector(".bundle-state").textContent = bundle.state_label;
          if (bundle.state === "done" || bundle.state === "failed") finished = true;
          row.dataset.state = bundle.state;
        });
        if (finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, seconds * 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, seconds * 4000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
