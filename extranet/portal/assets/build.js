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
  fs.copyFileSync(path.join(root, source), path.join(vendor, target));
  console.log(`${source} -> ${path.relative(root, path.join(vendor, target))}`);
}
