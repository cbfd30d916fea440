// Live updates for a unit's inbox: the API's event stream (for this person's unit) refreshes the
// lists with htmx, without reloading the page.
(function () {
  var box = document.getElementById("inbox");
  if (!box || !window.EventSource) return;
  var stream = new EventSource("/console/events");
  var toast = document.getElementById("toast");
  box.dataset.kinds.split(" ").forEach(function (kind) {
    stream.addEventListener(kind, refresh);
  });
  function refresh() {
    htmx.ajax("GET", "/console/inbox?fragment=1", { target: "#inbox", swap: "innerHTML" });
    if (toast) { toast.hidden = false; setTimeout(function () { toast.hidden = true; }, 4000); }
  }
})();
