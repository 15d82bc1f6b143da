// Decap CMS's YAML format, as decap-cms-core/src/formats/yaml.ts reads and writes case files
// (the same `yaml` package and the same calls), for caselog's round-trip tests.
// stdin: {"write": [data, ...]} or {"resave": [text, ...], "keys": [top-level order]}
// stdout: a JSON list of file texts.
"use strict";
const path = require("path");
const yaml = require(path.join(__dirname, "..", "admin", "node_modules", "yaml"));

const timestampTag = {
  identify: (value) => value instanceof Date,
  default: true,
  tag: "!timestamp",
  test: /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(\.[0-9]+)?)Z$/,
  resolve: (str) => new Date(str),
  stringify: (value) => value.toISOString(),
};

function fromFile(content) {
  const doc = yaml.parseDocument(content, { customTags: [timestampTag], prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("\n"));
  return doc.toJSON();
}

function toFile(data, sortedKeys) {
  const contents = yaml.createNode(data);
  const key = (item) => item.key && item.key.toString();
  contents.items.sort((a, b) => {  // decap-cms-core/src/formats/helpers.ts sortKeys
    const idxA = sortedKeys.indexOf(key(a));
    const idxB = sortedKeys.indexOf(key(b));
    if (idxA === -1 || idxB === -1) return 0;
    return idxA > idxB ? 1 : idxA < idxB ? -1 : 0;
  });
  const doc = new yaml.Document();
  doc.contents = contents;
  return doc.toString();
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const keys = request.keys || [];
  const out = request.write
    ? request.write.map((data) => toFile(data, keys))
    : request.resave.map((text) => toFile(fromFile(text), keys));
  process.stdout.write(JSON.stringify(out));
});
