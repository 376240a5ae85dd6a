// Peer reader for bench/run_bench.py: SheetJS (npm "xlsx"), dense mode, values only.
// Prints the same line as read_bench: cells=N seconds=S.
const XLSX = require("xlsx");
const start = process.hrtime.bigint();
const workbook = XLSX.readFile(process.argv[2], { dense: true, cellFormula: false, cellHTML: false, cellText: false });
const sheet = workbook.Sheets[workbook.SheetNames[0]];
let cells = 0;
// 0.18 stores dense sheets as an array of rows; newer releases under "!data".
const rows = sheet["!data"] || (Array.isArray(sheet) ? sheet : []);
for (const row of rows) {
  if (!row) continue;
  for (const cell of row) if (cell && cell.v !== undefined) cells++;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`cells=${cells} seconds=${seconds.toFixed(4)}`);
