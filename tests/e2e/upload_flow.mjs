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

// What a person sees: the site's stylesheet applied (a page the CSP leaves unstyled is raw HTML
// in Times on white), and no resource refused by the Content-Security-Policy.
async function assertStyled(page, what) {
  const look = await page.evaluate(() => {
    const header = getComputedStyle(document.querySelector("header"));
    const body = getComputedStyle(document.body);
    return { header: header.backgroundColor, headerText: header.color, font: body.fontFamily, margin: body.margin,
             sheets: document.styleSheets.length };
  });
  assert.equal(look.header, "rgb(11, 61, 145)", `${what}: header background is the stylesheet's #0b3d91`);
  assert.equal(look.headerText, "rgb(255, 255, 255)", `${what}: header text is white`);
  assert.match(look.font, /system-ui/, `${what}: body font is the stylesheet's, not the default serif`);
  assert.equal(look.margin, "0px", `${what}: body margin is the stylesheet's`);
  assert.deepEqual(refusedByPolicy, [], `${what}: nothing refused by the Content-Security-Policy`);
}
const refusedByPolicy = [];
function watchPolicy(page) {
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
  });
}

async function login(page, user, password) {
  watchPolicy(page);
  await page.goto(base + "/");
  await assertStyled(page, "login page");
  await page.screenshot({ path: path.join(outDir, `accesso-${user}.png`), fullPage: true });
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
  await assertStyled(page, "campaign page");
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
  await assertStyled(page, "outcome page");
  assert.equal(await problems.locator("th").first().evaluate((th) => getComputedStyle(th).backgroundColor), "rgb(232, 238, 248)",
               "table headings are shaded");
  await page.screenshot({ path: path.join(outDir, "esito-con-errori.png"), fullPage: true });
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
