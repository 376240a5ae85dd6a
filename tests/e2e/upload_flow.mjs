// The upload pages as a clerk and a regional officer use them, in Debian's headless Chromium.
//   node upload_flow.mjs BASE_URL BROKEN.xlsx FIXED.xlsx OUT_DIR
// A comune logs in, sends a workbook with a mistake and sees the error with its sheet and cell,
// sends the corrected one and sees its status turn "valido"; the Region logs in and downloads the
// consolidated workbook (saved as OUT_DIR/consolidato.xlsx for run.sh to open).
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const [base, broken, fixed, outDir] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  // As root and on a closed network: no sandbox, no background calls to Google's hosts.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

async function login(page, user, password) {
  await page.goto(base + "/");
  await page.getByLabel("Nome utente").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(base + "/campagne");
}

async function openCampaign(page) {
  await page.getByRole("link", { name: "Spesa sociale 2024" }).click();
  await page.waitForURL(/\/campagne\/\d+$/);
}

async function statusOf(page, ente) {
  return (await page.locator("tr", { has: page.locator("td", { hasText: ente }) }).locator("td").nth(3).innerText()).trim();
}

try {
  // ---- the comune of Melzo ----
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await login(page, "melzo", "password-di-melzo");
  await openCampaign(page);
  assert.equal(await statusOf(page, "015142"), "mancante");

  await page.getByLabel("File compilato (.xlsx)").setInputFiles(broken);
  await page.getByRole("button", { name: "Invia e controlla" }).click();
  await page.waitForURL(/\/campagne\/\d+\/invii$/);
  const outcome = page.getByRole("status");
  assert.match(await outcome.innerText(), /con errori bloccanti/);
  // The mistake (a code of a province that does not exist) is shown at its sheet and cell.
  const problems = page.locator("table", { has: page.locator("caption", { hasText: "Problemi trovati" }) });
  const rows = problems.locator("tr", { has: page.locator("td", { hasText: "099142" }) });
  assert.ok((await rows.count()) >= 1, "the wrong ISTAT code is listed among the problems");
  const cells = rows.first().locator("td");
  assert.equal((await cells.nth(1).innerText()).trim(), "Spesa sociale");
  assert.match((await cells.nth(2).innerText()).trim(), /^[A-Z]+[0-9]+$/);
  // The annotated copy is a workbook.
  const [annotated] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /copia annotata/ }).click()]);
  await annotated.saveAs(path.join(outDir, "annotato.xlsx"));

  await page.getByRole("link", { name: "Torna alla campagna" }).click();
  assert.equal(await statusOf(page, "015142"), "con errori");
  await page.getByLabel("File compilato (.xlsx)").setInputFiles(fixed);
  await page.getByRole("button", { name: "Invia e controlla" }).click();
  assert.match(await page.getByRole("status").innerText(), /Versione 2 .*: valida/);
  assert.match(await page.locator("main").innerText(), /Nessun problema trovato/);
  await page.getByRole("link", { name: "Torna alla campagna" }).click();
  assert.equal(await statusOf(page, "015142"), "valido");
  // A comune is offered no consolidation.
  assert.equal(await page.getByRole("link", { name: /consolidato/ }).count(), 0);
  await page.getByRole("button", { name: "Esci" }).click();
  await page.waitForURL(base + "/");
  await context.close();

  // ---- the Region ----
  const region = await browser.newContext({ acceptDownloads: true });
  const officer = await region.newPage();
  await login(officer, "regione", "password-della-regione");
  await openCampaign(officer);
  assert.equal(await statusOf(officer, "015142"), "valido");
  assert.equal(await statusOf(officer, "015059"), "mancante");
  const [download] = await Promise.all([officer.waitForEvent("download"),
                                        officer.getByRole("link", { name: "Scarica il consolidato (xlsx)" }).click()]);
  assert.match(download.suggestedFilename(), /^consolidato-spesa-sociale-comune-2024\.xlsx$/);
  await download.saveAs(path.join(outDir, "consolidato.xlsx"));
  await region.close();
  console.log("e2e: comune broken -> errors by cell -> fixed -> valido; Region downloaded the consolidation");
} finally {
  await browser.close();
}
