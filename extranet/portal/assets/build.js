// Copies the portal's front-end packages from node_modules into extranet/portal/static/portal/vendor.
// The copies are committed, so serving the site never needs npm; run `npm ci && npm run build`
// after changing a version in package.json.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..", "..");
const vendor = path.join(root, "extranet", "portal", "static", "portal", "vendor");
const files = [
  ["node_modules/chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["node_modules/chart.js/LICENSE.md", "chart.js-LICENSE.md"],
];

fs.mkdirSync(vendor, { recursive: true });
for (const [source, target] of files) {
  // Source-map comments are dropped: the maps are not shipped, and Django's manifest storage
  // (collectstatic in production) refuses a reference to a missing file.
  const text = fs.readFileSync(path.join(root, source), "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  fs.writeFileSync(path.join(vendor, target), text);
  console.log(`${source} -> ${path.relative(root, path.join(vendor, target))}`);
}
