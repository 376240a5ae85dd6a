// The receipt of a version printed as a browser prints it: Debian's headless Chromium, A4.
//   node receipt_print.mjs BASE_URL BROKEN.xlsx OUT_DIR
// The comune of Melzo sends a workbook with a mistake, follows the link to the receipt from the
// outcome page, and prints it to OUT_DIR/ricevuta.pdf (and a screenshot, ricevuta.png); the
// receipt's protocol number goes to OUT_DIR/protocollo.txt for receipt_print.sh to look for.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const [base, broken, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + "/");
  await page.getByLabel("Nome utente").fill("melzo");
  await page.getByLabel("Password").fill("password-di-melzo");
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(base + "/campagne");
  await page.getByRole("link", { name: "Spesa sociale 2024" }).click();
  await page.getByLabel("File compilato").setInputFiles(broken);
  await page.getByRole("button", { name: "Invia e controlla" }).click();
  await page.getByRole("link", { name: /ricevuta di invio/ }).click();
  await page.waitForURL(/\/invii\/\d+\/ricevuta$/);
  const protocol = (await page.locator("#numero strong").innerText()).trim();
  assert.match(protocol, /^C\d+-2024-\d{6}$/);
  fs.writeFileSync(path.join(outDir, "protocollo.txt"), protocol);
  await page.screenshot({ path: path.join(outDir, "ricevuta.png"), fullPage: true });
  // As the browser's own print: the page's @page rule (A4) decides the paper.
  await page.emulateMedia({ media: "print" });
  await page.pdf({ path: path.join(outDir, "ricevuta.pdf"), preferCSSPageSize: true, printBackground: false });
  console.log("e2e: receipt " + protocol + " printed to PDF");
} finally {
  await browser.close();
}
