// The upload pages as a clerk, an Ambito and a regional officer use them, in Debian's headless Chromium.
//   node upload_flow.mjs BASE_URL BROKEN.xlsx FIXED.xlsx OUT_DIR
// A comune logs in, downloads the blank template, sends a workbook with a mistake and sees the
// error with its sheet and cell, sends the corrected one and sees its status turn "valido", then a
// broken one again and sees on its own page that the corrected version still counts; the Ambito
// sees its comuni; the Region downloads the consolidated workbook (OUT_DIR/consolidato.xlsx, and
// OUT_DIR/modello.xlsx, OUT_DIR/annotato.xlsx for run.sh to open).
//
// Every page is drawn at 1280 and at 390 px (a phone): a screenshot of each goes to OUT_DIR,
// axe-core must find no violation, and the computed styles must be the site's (Titillium Web
// loaded, Bootstrap Italia's header colours, tables as one card per row on the phone, no
// sideways scrolling). The same style check is shown to fail on a page whose stylesheet is blocked.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [base, broken, fixed, outDir, cassano] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const widths = [1280, 390];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  // As root and on a closed network: no sandbox, no background calls to Google's hosts.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

const refusedByPolicy = [];
function watchPolicy(page) {
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
  });
}

// What a person sees: the site's stylesheet applied and its font loaded (a page the CSP leaves
// unstyled is raw HTML in the default serif on white), Bootstrap Italia's header bands, and at
// phone width tables drawn as cards, with nothing wider than the screen.
async function assertStyled(page, what, width) {
  const look = await page.evaluate(async () => {
    await document.fonts.ready;
    const style = (selector, pseudo) => {
      const element = document.querySelector(selector);
      return element ? getComputedStyle(element, pseudo) : null;
    };
    const titillium = [...document.fonts].filter((face) => face.family.replace(/"/g, "") === "Titillium Web" && face.status === "loaded");
    const firstCell = document.querySelector("table.a-schede tbody td");
    return {
      slim: style(".intestazione-slim")?.backgroundColor, centre: style(".intestazione-centro")?.backgroundColor,
      centreText: style(".servizio")?.color, footer: style(".piede")?.backgroundColor,
      font: getComputedStyle(document.body).fontFamily, margin: getComputedStyle(document.body).margin,
      loadedWeights: [...new Set(titillium.map((face) => face.weight))].sort(),
      h1Weight: style("h1")?.fontWeight, h1Font: style("h1")?.fontFamily,
      row: style("table.a-schede tbody tr")?.display, head: style("table.a-schede thead")?.position,
      cell: firstCell ? getComputedStyle(firstCell).display : null,
      cellLabel: firstCell ? getComputedStyle(firstCell, "::before").content : null,
      cellLabelFloat: firstCell ? getComputedStyle(firstCell, "::before").float : null,
      cellLabelWanted: firstCell ? JSON.stringify(firstCell.dataset.etichetta) : null,
      scrollWidth: document.documentElement.scrollWidth,
    };
  });
  assert.equal(look.slim, "rgb(0, 89, 179)", `${what} @${width}: slim header is Bootstrap Italia's #0059b3`);
  assert.equal(look.centre, "rgb(0, 102, 204)", `${what} @${width}: centre header is the primary #0066cc`);
  assert.equal(look.centreText, "rgb(255, 255, 255)", `${what} @${width}: header text is white`);
  assert.equal(look.footer, "rgb(0, 51, 102)", `${what} @${width}: footer is #003366`);
  assert.match(look.font, /^"Titillium Web"/, `${what} @${width}: body font is Titillium Web`);
  assert.ok(look.loadedWeights.includes("400") && look.loadedWeights.includes("700"),
            `${what} @${width}: Titillium Web regular and bold loaded from the server (${look.loadedWeights})`);
  assert.equal(look.h1Weight, "700", `${what} @${width}: the title is bold`);
  assert.equal(look.margin, "0px", `${what} @${width}: body margin is the stylesheet's`);
  assert.ok(look.scrollWidth <= width, `${what} @${width}: nothing wider than the screen (${look.scrollWidth} px)`);
  if (look.row) {
    if (width < 768) {
      assert.equal(look.row, "block", `${what} @${width}: each table row is a card`);
      assert.equal(look.cell, "flow-root", `${what} @${width}: each cell is a line of the card, as tall as its label`);
      assert.equal(look.cellLabelFloat, "left", `${what} @${width}: each label stands in its own column`);
      assert.equal(look.head, "absolute", `${what} @${width}: the table head is left to screen readers`);
      assert.equal(look.cellLabel, look.cellLabelWanted, `${what} @${width}: each cell shows its column's label`);
    } else {
      assert.equal(look.row, "table-row", `${what} @${width}: a table on a wide screen`);
      assert.equal(look.cellLabel, "none", `${what} @${width}: no labels in the cells of a table`);
    }
  }
  assert.deepEqual(refusedByPolicy, [], `${what}: nothing refused by the Content-Security-Policy`);
}

// axe-core, evaluated through the DevTools protocol (the page's own CSP allows no inline script).
async function assertAccessible(page, what, width) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const { violations, passes } = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return { violations: result.violations, passes: result.passes.length };
  });
  assert.ok(passes >= 20, `${what} @${width}: axe-core ran its rules (${passes} passed)`);
  const described = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n    ")}`);
  assert.deepEqual(described, [], `${what} @${width}: axe-core violations`);
}

// The page at each width: styled, accessible, photographed. Tall pages (the Region's 1,506 enti
// as cards) are photographed as the screen shows them.
async function look(page, name) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => document.fonts.ready);
    const tall = await page.evaluate(() => document.documentElement.scrollHeight > 15000);
    await page.screenshot({ path: path.join(outDir, `${name}-${width}.png`), fullPage: !tall });
    await assertStyled(page, name, width);
    await assertAccessible(page, name, width);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

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

async function upload(page, file) {
  await page.getByLabel("File compilato").setInputFiles(file);
  await page.getByRole("button", { name: "Invia e controlla" }).click();
  await page.waitForURL(/\/campagne\/\d+\/invii$/);
}

try {
  // ---- the style check itself fails on a page whose stylesheet does not arrive ----
  const bare = await browser.newContext();
  const barePage = await bare.newPage();
  await barePage.route("**/stile.css", (route) => route.abort());
  await barePage.goto(base + "/");
  await assert.rejects(assertStyled(barePage, "login page without its stylesheet", 1280), assert.AssertionError,
                       "the computed-style check must fail on an unstyled page");
  await bare.close();

  // ---- the comune of Melzo ----
  const context = await browser.newContext({ acceptDownloads: true, locale: "it-IT", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watchPolicy(page);
  await page.goto(base + "/");
  await look(page, "accesso");
  // The first Tab reaches the skip link, shown and ringed while it has the focus.
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const link = document.activeElement;
    const style = getComputedStyle(link);
    return { text: link.textContent, top: link.getBoundingClientRect().top, outline: style.outlineStyle, outlineColor: style.outlineColor };
  });
  assert.equal(skip.text, "Vai al contenuto principale");
  assert.ok(skip.top >= 0, "the skip link shows when focused");
  assert.equal(skip.outline, "solid", "focus is visible");
  assert.equal(skip.outlineColor, "rgb(255, 153, 0)", "focus ring in Bootstrap Italia's orange");
  await page.screenshot({ path: path.join(outDir, "accesso-focus-1280.png") });

  await login(page, "melzo", "password-di-melzo");
  await look(page, "campagne");
  await openCampaign(page);
  await look(page, "campagna-comune");
  assert.equal(await statusOf(page, "015142"), "mancante");

  // The blank template of the campaign's form.
  const [template] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Scarica il modello vuoto (xlsx)" }).click()]);
  assert.match(template.suggestedFilename(), /^modello-spesa-sociale-comune-\d+\.\d+\.xlsx$/);
  await template.saveAs(path.join(outDir, "modello.xlsx"));
  // The comune fills the downloaded template (openpyxl, with Melzo's figures) and LibreOffice,
  // as its clerk would open and save it, computes the totals: this is the file it sends to fix
  // its first one.
  const filled = path.join(outDir, "compilato.xlsx"), saved = path.join(outDir, "salvato");
  execFileSync("/usr/bin/python3", [path.join(path.dirname(new URL(import.meta.url).pathname), "fill_template.py"),
                                    path.join(outDir, "modello.xlsx"), fixed, filled]);
  fs.mkdirSync(path.join(outDir, "home"), { recursive: true });
  execFileSync("soffice", ["--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", saved, filled],
               { env: { ...process.env, HOME: path.join(outDir, "home") }, stdio: "ignore" });
  const filledBySite = path.join(saved, "compilato.xlsx");

  await upload(page, broken);
  const outcome = page.getByRole("status");
  assert.match(await outcome.innerText(), /con errori bloccanti/);
  // The mistake (a code of a province that does not exist) is shown at its sheet and cell.
  const problems = page.locator("table", { has: page.locator("caption", { hasText: "Problemi trovati" }) });
  const rows = problems.locator("tr", { has: page.locator("td", { hasText: "099142" }) });
  assert.ok((await rows.count()) >= 1, "the wrong ISTAT code is listed among the problems");
  await look(page, "esito-con-errori");
  const cells = rows.first().locator("td");
  assert.equal((await cells.nth(1).innerText()).trim(), "Spesa sociale");
  assert.match((await cells.nth(2).innerText()).trim(), /^[A-Z]+[0-9]+$/);
  // The annotated copy is a workbook.
  const [annotated] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /copia annotata/ }).click()]);
  await annotated.saveAs(path.join(outDir, "annotato.xlsx"));

  await page.getByRole("link", { name: "Torna alla campagna" }).click();
  assert.equal(await statusOf(page, "015142"), "con errori");
  await upload(page, filledBySite);
  assert.match(await page.getByRole("status").innerText(), /Versione 2 .*: valida/);
  assert.match(await page.locator("main").innerText(), /Nessun problema trovato/);
  await look(page, "esito-valido");
  // Its receipt, with its protocol number.
  await page.getByRole("link", { name: /ricevuta di invio/ }).click();
  assert.match(await page.locator("main").innerText(), /Protocollo n\. C\d+-2024-\d{6}/);
  await look(page, "ricevuta");
  await page.getByRole("link", { name: "Torna all'esito dell'invio" }).click();
  await page.getByRole("link", { name: "Torna alla campagna" }).click();
  assert.equal(await statusOf(page, "015142"), "valido");
  // A comune is offered no consolidation.
  assert.equal(await page.getByRole("link", { name: /consolidato/ }).count(), 0);

  // The broken file once more: the corrected version still counts, and the ente's page says so.
  await upload(page, broken);
  await page.getByRole("link", { name: "Tutte le versioni di Melzo" }).click();
  await page.waitForURL(/\/campagne\/\d+\/enti\/015142$/);
  const main = await page.locator("main").innerText();
  assert.match(main, /l'ultima versione inviata non conta/);
  assert.match(main, /conta ancora la versione 2 del/);
  assert.equal(await page.locator("tbody tr").count(), 3, "every version is listed");
  await look(page, "ente-comune");

  // The legal pages and a refusal, with the same frame.
  await page.getByRole("link", { name: "Dichiarazione di accessibilità" }).click();
  await look(page, "accessibilita");
  await page.getByRole("link", { name: "Informativa sul trattamento dei dati personali" }).click();
  assert.match(await page.locator("main").innerText(), /Ufficio di prova dei Piani di Zona/, "the configured privacy text");
  await look(page, "privacy");
  const refused = await page.goto(base + "/campagne/999999");
  assert.equal(refused.status(), 404);
  await look(page, "errore");

  await page.goto(base + "/campagne");
  await page.getByRole("button", { name: "Esci" }).click();
  await page.waitForURL(base + "/");
  await context.close();

  // ---- the Ambito of Melzo: its comuni, and sending for one of them ----
  const ambitoContext = await browser.newContext({ locale: "it-IT", viewport: { width: 1280, height: 900 } });
  const ambito = await ambitoContext.newPage();
  watchPolicy(ambito);
  await login(ambito, "ufficio-melzo", "password-dell-ambito");
  await openCampaign(ambito);
  assert.equal(await ambito.locator("tbody tr").count(), 8, "the 8 comuni of Melzo");
  await look(ambito, "campagna-ambito");
  // The Ambito reviews the version of Melzo that counts (the valid one) and sends it back.
  await ambito.getByRole("link", { name: "Melzo", exact: true }).click();
  await ambito.getByRole("link", { name: "Esito e problemi della versione 2" }).click();
  await ambito.fill("textarea[name=nota]", "Controllare la quota del Fondo Povertà nella riga 12.");
  await ambito.getByRole("button", { name: "Rinvia per correzioni" }).click();
  assert.match(await ambito.locator("main").innerText(), /rinviato[\s\S]*Controllare la quota del Fondo Povertà/);
  await look(ambito, "revisione-ambito");
  // It sends Cassano's file on the comune's behalf, and approves it.
  await ambito.getByRole("link", { name: "Spesa sociale 2024" }).click();
  await ambito.selectOption("#ente", "015059");
  await upload(ambito, cassano);
  assert.match(await ambito.getByRole("status").first().innerText(), /Versione 1 .*: valida/);
  await ambito.fill("textarea[name=nota]", "Dati completi e coerenti.");
  await ambito.getByRole("button", { name: "Approva" }).click();
  assert.match(await ambito.locator("main").innerText(), /approvato[\s\S]*Dati completi e coerenti/);
  await ambitoContext.close();

  // ---- the comune sees what its Ambito asked ----
  const again = await browser.newContext({ locale: "it-IT", viewport: { width: 1280, height: 900 } });
  const comune = await again.newPage();
  watchPolicy(comune);
  await login(comune, "melzo", "password-di-melzo");
  await openCampaign(comune);
  const told = await comune.locator("main").innerText();
  assert.match(told, /Da correggere/);
  assert.match(told, /Controllare la quota del Fondo Povertà nella riga 12\./);
  await look(comune, "campagna-comune-da-correggere");
  await again.close();

  // ---- the Region ----
  const region = await browser.newContext({ acceptDownloads: true, locale: "it-IT", viewport: { width: 1280, height: 900 } });
  const officer = await region.newPage();
  watchPolicy(officer);
  await login(officer, "regione", "password-della-regione");
  await openCampaign(officer);
  // The dashboard: progress by ATS, then the Region narrows the list to the Ambito di Melzo.
  assert.equal(await officer.locator("svg.barra").count(), 8, "one progress bar per ATS");
  await look(officer, "cruscotto-regione");
  await officer.selectOption("#filtro-ambito", "MELZO");
  await officer.getByRole("button", { name: "Filtra" }).click();
  await officer.waitForURL(/ambito=MELZO/);
  assert.match(await officer.locator("main").innerText(), /8 enti nell'elenco/);
  assert.equal(await statusOf(officer, "015142"), "valido");
  assert.equal(await statusOf(officer, "015059"), "valido", "sent by the Ambito on Cassano's behalf");
  assert.equal(await statusOf(officer, "015114"), "mancante");
  await look(officer, "campagna-regione");
  const [download] = await Promise.all([officer.waitForEvent("download"),
                                        officer.getByRole("link", { name: "Scarica il consolidato: Ambito di Melzo (xlsx)" }).click()]);
  assert.match(download.suggestedFilename(), /^consolidato-spesa-sociale-comune-2024\.xlsx$/);
  await download.saveAs(path.join(outDir, "consolidato.xlsx"));
  const [approved] = await Promise.all([officer.waitForEvent("download"),
                                        officer.getByRole("link", { name: "Consolidato dei soli enti approvati: Ambito di Melzo" }).click()]);
  await approved.saveAs(path.join(outDir, "consolidato-approvati.xlsx"));
  // The outbox: what the mail did.
  await officer.goto(base + "/posta");
  await look(officer, "posta");
  await region.close();
  console.log("e2e: every page styled and without axe-core violations at 1280 and 390 px; template downloaded; "
              + "comune broken -> errors by cell -> the downloaded template filled and saved by LibreOffice -> valido -> "
              + "broken again, the filled one still counts; "
              + "Ambito sent Melzo back with a note (the comune saw it) and approved Cassano; "
              + "Region filtered to the Ambito and downloaded the Ambito's consolidation, also of the approved enti alone");
} finally {
  await browser.close();
}
