/* Cell renderers for Beacon's grids. Values are rendered as text, never as HTML. */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

/* A link whose address is a template filled from the row: "/credit/customer?id={id}". */
dagcomponentfuncs.BeaconLink = function (props) {
  if (props.value === null || props.value === undefined) return "";
  var href = (props.href || "").replace(/\{(\w+)\}/g, function (_m, key) {
    return encodeURIComponent(props.data && props.data[key] != null ? props.data[key] : "");
  });
  return React.createElement("a", { href: href }, String(props.value));
};

/* A risk band in its colour, named in text (the same badge as elsewhere). */
dagcomponentfuncs.BeaconBand = function (props) {
  if (!props.value) return "";
  var band = String(props.value);
  return React.createElement(
    "span",
    {
      className: "band-badge",
      style: {
        backgroundColor: (props.colors || {})[band] || "#495057",
        color: (props.text || {})[band] || "#fff",
      },
    },
    band
  );
};

/* Numbers with thousands separators; percentages (already x100) with one decimal. */
dagcomponentfuncs.BeaconNumber = function (props) {
  var v = props.value;
  if (v === null || v === undefined || v === "") return "";
  if (props.style === "percent") return Number(v).toFixed(1) + "%";
  return Number(v).toLocaleString("en-GB", { maximumFractionDigits: 1 });
};

/* A few lines, each cut to the column's width; the whole text on hover. */
dagcomponentfuncs.BeaconLines = function (props) {
  var text = props.value == null ? "" : String(props.value);
  return React.createElement(
    "div",
    { className: "grid-lines-box", title: text },
    text.split("\n").map(function (line, i) {
      return React.createElement("div", { key: i, className: "grid-line" }, line);
    })
  );
};
