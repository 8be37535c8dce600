// Compares two package-lock.json files: exits 1 when they differ in anything but optional
// packages present in one and absent from the other (another platform's binaries the registry
// does or does not list). Usage: node .ci/lock-diff.js committed.json installed.json
'use strict';
const fs = require('node:fs');

const [committedFile, installedFile] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8')).packages ?? {};
const committed = read(committedFile);
const installed = read(installedFile);

const problems = [];
const tolerated = [];
for (const name of new Set([...Object.keys(committed), ...Object.keys(installed)])) {
  const a = committed[name];
  const b = installed[name];
  if (a && b) {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`changed: ${name || '(root)'}`);
  } else if ((a ?? b).optional === true) {
    tolerated.push(`${a ? 'dropped' : 'added'} optional ${name}`);
  } else {
    problems.push(`${a ? 'dropped' : 'added'}: ${name}`);
  }
}
for (const line of tolerated) console.log(`lock file: ${line} (tolerated)`);
if (problems.length > 0) {
  console.error(`package-lock.json is out of date (run npm install and commit it):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('lock file: the installed tree matches the committed one');
