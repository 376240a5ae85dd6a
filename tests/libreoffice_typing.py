#!/usr/bin/python3
"""The four blank templates filled as a clerk fills them in LibreOffice Calc with the Italian
locale, typing through Calc itself, then validated: each case asserts the outcome and the exact
codes and cells that issue #12 says consolida must report.

Typing goes through Calc's own input path: the dispatcher command .uno:EnterString on the
selected cell, the command a keystroke sequence ending in Enter runs, with the profile's locale
set to it-IT. So Calc's number recognition applies as for a person: "4.000,00" becomes 4000,
"'4.000,00" stays text, "12,5%" becomes 0,125, "8/10" becomes a date. Like a paste, the command
does not apply the cell's validity (a list, "decimal >= 0"), which Calc checks only in its input
line: that is how values that are not in a list, or text in an amount cell, reach a file. Rows are
inserted with .uno:InsertRowsBefore, as the context menu does, so Calc moves the defined names
and widens the formulas as it does for a person.

    libreoffice_typing.py CONSOLIDA_CLI SOURCE_DIR [--keep DIR]

One soffice process (private profile, its own process group, killed at the end) fills every
file. Exit 0 all cases pass, 1 some fail (each named), 77 LibreOffice or python3-uno missing."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIME_LIMIT_S = 240  # the whole run; CI has 2 cores, the run takes about 15 s
FORMS = ["spesa-sociale-comune", "rendiconto-ambito", "monitoraggio-obiettivi", "premialita"]

PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>it-IT</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>it-IT</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class TimeLimit(Exception):
    pass


def on_alarm(signum, frame):
    raise TimeLimit(f"oltre {TIME_LIMIT_S} s")


# ---------------------------------------------------------------------------------------------
# Calc, driven through UNO


def prop(name, value):
    import uno  # noqa: F401 (registers the com.sun.star modules)
    from com.sun.star.beans import PropertyValue
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


class Calc:
    """One headless soffice with a private it-IT profile, listening on a pipe of this process."""

    def __enter__(self):
        import uno
        self.profile = tempfile.mkdtemp(prefix="consolida-lo-")
        os.makedirs(os.path.join(self.profile, "user"))
        with open(os.path.join(self.profile, "user", "registrymodifications.xcu"), "w", encoding="utf-8") as out:
            out.write(PROFILE_SETTINGS)
        pipe = f"consolida_typing_{os.getpid()}"
        # Its own session: the process group (the soffice script, oosplash, soffice.bin) is ours
        # to kill, by its id, whatever state LibreOffice is left in.
        self.process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
             "-env:UserInstallation=file://" + self.profile, f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError("LibreOffice non risponde sulla pipe")
                time.sleep(0.2)
        manager = self.context.ServiceManager
        self.desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", self.context)
        self.dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", self.context)
        return self

    def __exit__(self, *exc):
        try:
            if getattr(self, "desktop", None) is not None:
                self.desktop.terminate()
        except Exception:
            pass  # the bridge drops while soffice exits
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        shutil.rmtree(self.profile, ignore_errors=True)
        return False

    def open(self, path, spec):
        import uno
        doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True), prop("AsTemplate", True)))
        return Sheet(self, doc, spec)


def col_letter(col):
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class Sheet:
    """A template open in Calc; rows and columns 0-based, as UNO counts them."""

    def __init__(self, calc, doc, spec):
        self.calc, self.doc, self.spec = calc, doc, spec
        self.controller = doc.getCurrentController()
        self.frame = self.controller.getFrame()

    def named(self, name):
        cells = self.doc.NamedRanges.getByName(name).getReferredCells()
        address = cells.getRangeAddress()
        return self.doc.Sheets.getByIndex(address.Sheet), address

    def activate(self, sheet):
        if self.controller.getActiveSheet().getName() != sheet.getName():
            self.controller.setActiveSheet(sheet)

    def dispatch(self, command, *args):
        self.calc.dispatcher.executeDispatch(self.frame, command, "", 0, tuple(args))

    def type(self, sheet, row, col, text):
        """Types `text` in a cell and presses Enter, as a person does."""
        if sheet.isProtected() and sheet.getCellByPosition(col, row).CellProtection.IsLocked:
            # Calc would show "Le celle protette non possono essere modificate" (and a headless
            # soffice may crash on that dialog): a case that does this is wrong.
            raise RuntimeError(f"{col_letter(col)}{row + 1} è una cella protetta")
        self.activate(sheet)
        self.controller.select(sheet.getCellByPosition(col, row))
        self.dispatch(".uno:EnterString", prop("StringName", text))
        return f"{col_letter(col)}{row + 1}"

    def field(self, field_id, text):
        sheet, address = self.named("F_" + field_id)
        return self.type(sheet, address.StartRow, address.StartColumn, text)

    def field_address(self, field_id):
        address = self.named("F_" + field_id)[1]
        return f"{col_letter(address.StartColumn)}{address.StartRow + 1}"

    def mark(self, field_id, label_start, text="X"):
        """Marks the option of a multi-choice field whose label starts with `label_start`."""
        sheet, address = self.named("F_" + field_id)
        for row in range(address.StartRow, address.EndRow + 1):
            if sheet.getCellByPosition(address.StartColumn, row).getString().startswith(label_start):
                return self.type(sheet, row, address.EndColumn, text)  # options in A, marks in B
        raise KeyError(label_start)

    def table(self, table_id):
        sheet, address = self.named("T_" + table_id)
        return sheet, address.StartRow, address.EndRow  # header row, last row (the total row when there is one)

    def body_row(self, table_id, index):
        return self.table(table_id)[1] + 1 + index

    def row_of(self, table_id, label):
        sheet, header, last = self.table(table_id)
        for row in range(header + 1, last + 1):
            if sheet.getCellByPosition(0, row).getString() == label:
                return row
        raise KeyError(label)

    def spec_table(self, table_id):
        return next(t for t in self.spec["tables"] if t["id"] == table_id)

    def column(self, table_id, column_id):
        table = self.spec_table(table_id)
        if column_id == table["key"]["id"]:
            return 0
        return 1 + [c["id"] for c in table["columns"]].index(column_id)

    def put(self, table_id, row, column_id, text):
        sheet = self.table(table_id)[0]
        return self.type(sheet, row, self.column(table_id, column_id), text)

    def fill_row(self, table_id, row, **values):
        """Types a row's cells, key and columns by id; returns their addresses by id."""
        return {column: self.put(table_id, row, column, text) for column, text in values.items()}

    def insert_row(self, table_id, row, below=False):
        """Right click on a row, "Inserisci righe sopra" (or "sotto"): Calc moves the cells, the
        defined names and the formulas. Returns the new row. On a protected sheet Calc allows it
        only next to unlocked rows, as for a person."""
        sheet, header, last = self.table(table_id)
        self.activate(sheet)
        self.controller.select(sheet.getCellByPosition(0, row))
        self.dispatch(".uno:InsertRowsAfter" if below else ".uno:InsertRowsBefore")
        if self.table(table_id)[2] != last + 1:
            raise RuntimeError(f"Calc non ha inserito la riga {row + 1} in {table_id}")
        return row + 1 if below else row

    def insert_row_before(self, table_id, row):
        return self.insert_row(table_id, row)

    def unprotect(self, table_id):
        """Strumenti > Proteggi foglio, tolto: the template's protection has no password."""
        self.table(table_id)[0].unprotect("")

    def stored(self, table_id, address, number=None, text=None, format_has=None):
        """Checks what Calc made of what was typed, so that the cases test Italian typing and not
        an accident of the set-up: a number (and a piece of its format), or a text."""
        cell = self.table(table_id)[0].getCellRangeByName(address)
        kind = cell.getType().value  # VALUE, TEXT, FORMULA, EMPTY
        shape = self.doc.NumberFormats.getByKey(cell.NumberFormat).FormatString
        what = f"{address}: Calc ha registrato {kind} {cell.getValue()!r} {cell.getString()!r} formato {shape!r}"
        if number is not None and not (kind == "VALUE" and abs(cell.getValue() - number) < 1e-9):
            raise AssertionError(what + f", atteso il numero {number}")
        if text is not None and not (kind == "TEXT" and cell.getString() == text):
            raise AssertionError(what + f", atteso il testo {text!r}")
        if format_has is not None and format_has not in shape:
            raise AssertionError(what + f", atteso un formato con {format_has!r}")

    def save_as_xlsx(self, path):
        import uno
        self.doc.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", "Calc MS Excel 2007 XML"),))

    def close(self):
        self.doc.close(True)


# ---------------------------------------------------------------------------------------------
# Texts a clerk pastes: numbered words so that a person's count is certain.


def text_of_words(words, intro="Obiettivo del progetto"):
    """A pasted text of exactly `words` words by a person's count, in lines opened by the list
    marks of word processors ("• ", "– ", "o ") and with a euro sign standing alone: none of
    these marks is a word."""
    marks = ["• ", "– ", "o "]
    vocabulary = ["rafforzare", "la", "rete", "dei", "servizi", "domiciliari", "per", "anziani", "fragili", "e", "famiglie",
                  "con", "percorsi", "di", "dimissione", "protetta", "verso", "casa", "o", "comunità"]
    lines = [intro + ":"]
    count = len(intro.split())
    line = 0
    while count < words:
        take = min(10, words - count)
        if take >= 3 and line % 4 == 3:
            body = ["costo", "1.200,00", "€"] + vocabulary[: take - 2]  # "€" alone is no word
        else:
            body = [vocabulary[(line + k) % len(vocabulary)] for k in range(take)]
        lines.append(marks[line % 3] + " ".join(body))
        count += take
        line += 1
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The cases. Each fills one template and says what validation must report, from issue #12:
# errors and warnings as exact sets of (code, cell), and words their messages must hold.


class Expect:
    def __init__(self, errors=(), warnings=(), messages=None, pending=None, options=()):
        self.options = list(options)  # more options for validate
        self.errors = set(errors)
        self.warnings = set(warnings)
        self.messages = messages or {}  # (code, cell) -> texts its Italian message must contain
        self.pending = pending  # the point of issue #12 another change is fixing, if any


def spesa_header(s, name="Codogno (LO)"):
    s.field("codice_istat", "098019")
    s.field("comune", name)
    s.field("anno", "2024")
    s.field("compilatore", "Maria Rossi – Ufficio servizi sociali")
    s.field("email", "servizi.sociali@comune.codogno.lo.it")


def spesa_valida(s):
    """Italian numbers, a row inserted under Anziani with a label that plainly names it (its total
    typed as a formula), and "Codogno (LO)": valid, the guessed area a warning on its label."""
    s.unprotect("spesa")  # the areas are locked rows: Calc inserts rows among them only unprotected
    inserted = s.insert_row_before("spesa", s.row_of("spesa", "Povertà ed emarginazione"))
    spesa_header(s)
    row = s.row_of("spesa", "Minori e famiglia")
    s.fill_row("spesa", row, risorse_comune="125.430,20", compartecipazione="8.000", fnps="15.200,00", utenti="1.250")
    row = s.row_of("spesa", "Disabili")
    s.fill_row("spesa", row, risorse_comune="98.000,5", fna="22.450,00", utenti="87")
    row = s.row_of("spesa", "Anziani")
    s.fill_row("spesa", row, risorse_comune="45.000", fsr="7.250,75", utenti="312")
    cells = s.fill_row("spesa", inserted, area="Anziani – integrazione rette RSA", risorse_comune="12.000",
                       compartecipazione="3.500,50", totale=f"=SUM(B{inserted + 1}:I{inserted + 1})")
    row = s.row_of("spesa", "Servizio sociale professionale e multiutenza")
    s.fill_row("spesa", row, risorse_comune="60.000,00", altri_enti="1.234,56")
    return Expect(warnings={("SSC-R05", cells["area"])}, messages={("SSC-R05", cells["area"]): ["Anziani"]})


def spesa_riga_senza_area(s):
    """A row inserted under Disabili with amounts and no area: a blocking error on that row,
    naming the areas (issue: "every amount ... counted exactly once in every breakdown")."""
    s.unprotect("spesa")
    inserted = s.insert_row_before("spesa", s.row_of("spesa", "Anziani"))
    spesa_header(s)
    s.fill_row("spesa", s.row_of("spesa", "Disabili"), risorse_comune="98.000,50")
    s.fill_row("spesa", s.row_of("spesa", "Anziani"), risorse_comune="45.000")
    s.fill_row("spesa", inserted, risorse_comune="4.500,00", totale="4.500,00")
    key = f"A{inserted + 1}"
    return Expect(errors={("SSC-R05", key)}, messages={("SSC-R05", key): ["Disabili", "Anziani"]})


def spesa_testo(s):
    """Numbers typed as text: an amount ("'4.000,00" under a formula that skips text) and a row
    total typed over its formula as text. Each is named at its own cell; the totals the text
    spoils are not reported on top (issue: "Name the cell")."""
    spesa_header(s)
    dipendenze = s.row_of("spesa", "Dipendenze")
    source = s.put("spesa", dipendenze, "risorse_comune", "'4.000,00")
    disabili = s.row_of("spesa", "Disabili")
    s.fill_row("spesa", disabili, risorse_comune="90.000", fna="8.000,50")
    total = s.put("spesa", disabili, "totale", "'98.000,50")
    s.stored("spesa", source, text="4.000,00")
    s.stored("spesa", f"G{disabili + 1}", number=8000.5)
    return Expect(errors={("SSC-SPESA-RISORSE_COMUNE-TESTO", source), ("SSC-SPESA-TOTALE-TESTO", total)},
                  messages={("SSC-SPESA-RISORSE_COMUNE-TESTO", source): ["testo", "4.000,00"]})


def rendiconto_header(s, ats="MI. ATS della Città Metropolitana di Milano"):
    s.field("ambito", "Ambito 5 Melzo")
    s.field("ente_capofila", "Comune di Melzo")
    s.field("ats", ats)
    s.field("anno", "2021")
    s.field("referente", "Ufficio di Piano di Melzo")


def rendiconto_entrate(s):
    for label, amount in [("Fondo Nazionale Politiche Sociali (FNPS)", "285.000,00"),
                          ("Fondo Sociale Regionale (FSR, ex Circ. 4)", "310.500,50"),
                          ("Fondo Non Autosufficienza (FNA, Misura B2)", "150.000"),
                          ("L. 112/2016 - Dopo di Noi", "45.000,00")]:
        s.put("entrate", s.row_of("entrate", label), "importo", amount)


def spese(s, rows):
    """Types SPESE rows (description, fund chosen or pasted, amount); returns their cells."""
    return [s.fill_row("spese", s.body_row("spese", index), descrizione=label, importo=amount, **({"fondo": fund} if fund else {}))
            for index, (label, fund, amount) in enumerate(rows)]


def rendiconto_valido(s):
    """Italian amounts, a row inserted among the funds with its own label, a row inserted among
    the services, earmarked funds chosen from the list and passed on in full, a subtotal:
    ENTRATE = SPESE = 1.990.500,50; valid, no warnings."""
    s.unprotect("entrate")  # to insert among the funds, which are locked rows
    inserted = s.insert_row_before("entrate", s.row_of("entrate", "PON Inclusione"))
    rendiconto_header(s)
    rendiconto_entrate(s)
    s.fill_row("entrate", inserted, descrizione="Fondo Povertà - residui anno precedente", importo="200.000")
    s.fill_row("entrate", s.body_row("entrate", 22), descrizione="Quote associative dei Comuni", importo="1.000.000,00")
    spese(s, [("Servizio tutela minori", "", "1.250.000,00"),
              ("Voucher e buoni sociali B2", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "150.000,00"),
              ("Progetti Dopo di Noi", "DDN. L. 112/2016 - Dopo di Noi", "45.000"),
              ("PIANO DI ZONA SERVIZI (COMPRENDE LE VOCI SOPRA)", "", "1.445.000,00"),
              ("Servizio di assistenza domiciliare", "", "345.500,50")])
    inserted = s.insert_row_before("spese", s.body_row("spese", 4))
    s.fill_row("spese", inserted, descrizione="Sportello badanti", importo="200.000,00")
    return Expect()


def rendiconto_riga_sopra_totale(s):
    """A fund typed in a row inserted just above TOTALE ENTRATE, which the template's SUM leaves
    out: the total is named with the cause (the formula does not include that row)."""
    rendiconto_header(s)
    rendiconto_entrate(s)
    sheet, header, total = s.table("entrate")
    inserted = s.insert_row("entrate", total - 1, below=True)  # under the last empty row, above the total
    s.fill_row("entrate", inserted, descrizione="Contributo Fondazione Cariplo", importo="25.000,00")
    spese(s, [("Servizi sociali", "", "620.500,50"),
              ("Voucher e buoni sociali B2", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "150.000,00"),
              ("Progetti Dopo di Noi", "DDN. L. 112/2016 - Dopo di Noi", "45.000")])
    total_cell = f"B{total + 2}"  # moved down by the row inserted
    return Expect(errors={("REND-R02", total_cell)}, messages={("REND-R02", total_cell): [f"riga {inserted + 1}", "righe vuote"]})


def rendiconto_ats_incollata(s):
    """The ATS pasted over its drop-down as the seeds write it, "Ats Milano Città Metropolitana":
    an obvious synonym, accepted."""
    rendiconto_header(s, ats="Ats Milano Città Metropolitana")
    rendiconto_entrate(s)
    spese(s, [("Servizi sociali", "", "595.500,50"),
              ("Voucher e buoni sociali B2", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "150.000,00"),
              ("Progetti Dopo di Noi", "DDN. L. 112/2016 - Dopo di Noi", "45.000")])
    return Expect(pending="voci incollate: sinonimi ovvi accettati")


def rendiconto_fondo_fuori_elenco(s):
    """A fund pasted over the drop-down that is no item of the list ("... Misura B1"): an error
    suggesting the nearest item; the earmarked fund it leaves unbalanced names it as the cause."""
    rendiconto_header(s)
    rendiconto_entrate(s)
    cells = spese(s, [("Servizi sociali", "", "595.500,50"),
                      ("Voucher e buoni sociali B2", "Fondo Non Autosufficienza - Misura B1", "150.000,00"),
                      ("Progetti Dopo di Noi", "DDN. L. 112/2016 - Dopo di Noi", "45.000")])
    fund = cells[1]["fondo"]
    fna_in = f"B{s.row_of('entrate', 'Fondo Non Autosufficienza (FNA, Misura B2)') + 1}"
    return Expect(errors={("REND-SPESE-FONDO-LISTA", fund), ("REND-R05", fna_in)},
                  messages={("REND-SPESE-FONDO-LISTA", fund): ["forse", "Fondo Non Autosufficienza (FNA, Misura B2)"],
                            ("REND-R05", fna_in): [fund]},
                  pending="voce più vicina suggerita; l'errore a catena nomina la sua causa")


def rendiconto_importo_illeggibile(s):
    """An earmarked transfer typed "150.000.00" (no number in Italian: Calc keeps it as text) is
    refused at its cell with the likely amount; the sums it would spoil are not reported on top."""
    rendiconto_header(s)
    rendiconto_entrate(s)
    cells = spese(s, [("Servizi sociali", "", "595.500,50"),
                      ("Voucher e buoni sociali B2", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "150.000.00"),
                      ("Progetti Dopo di Noi", "DDN. L. 112/2016 - Dopo di Noi", "45.000")])
    refused = cells[1]["importo"]
    return Expect(errors={("REND-SPESE-IMPORTO-FORMATO", refused)}, messages={("REND-SPESE-IMPORTO-FORMATO", refused): ["150.000,00"]})


def monitoraggio_header(s):
    s.field("ambito", "Ambito di Lodi")
    s.field("anno", "2023")
    s.field("referente", "Ufficio di Piano di Lodi")


def indicator(s, index, macroarea, tipo, description, unit, expected, achieved=None, goal="Rafforzare la domiciliarità"):
    row = s.body_row("indicatori", index)
    values = dict(obiettivo=goal, macroarea=macroarea, tipo=tipo, indicatore=description, unita=unit, valore_atteso=expected)
    if achieved is not None:
        values["valore_realizzato"] = achieved
    return s.fill_row("indicatori", row, **values)


def monitoraggio_valido(s):
    """Percentages typed with "%" ("70%", "12,5%": Calc stores 0,7 and 0,125 in cells it formats as
    percentages, read as 70 and 12,5), Italian numbers, a
    scale, a declared state, a long objective with bullets, a row inserted in the table: valid,
    no warnings."""
    monitoraggio_header(s)
    indicator(s, 0, "D. Domiciliarità", "OUTPUT. Output (risultato)", "Persone assistite a domicilio", "n.", "300", "600",
              goal=text_of_words(80, "Domiciliarità"))
    percent = indicator(s, 1, "D. Domiciliarità", "OUTCOME. Outcome / impatto", "Enti che aderiscono alla rete", "%", "70%", "12,5%")
    s.stored("indicatori", percent["valore_atteso"], number=0.7, format_has="%")
    s.stored("indicatori", percent["valore_realizzato"], number=0.125, format_has="%")
    indicator(s, 2, "E. Anziani", "INPUT. Input", "Ore di assistenza domiciliare", "ore", "1.200", "1.150,5")
    indicator(s, 3, "E. Anziani", "PROCESSO. Processo", "Soddisfazione delle famiglie", "scala 1-10", "8", "7,5")
    s.insert_row_before("indicatori", s.body_row("indicatori", 3))
    indicator(s, 3, "A. Contrasto alla povertà e all'emarginazione sociale", "PROCESSO. Processo", "Protocolli stipulati", "n.",
              "1", "In definizione", goal="Rete contro la povertà")
    return Expect()


def monitoraggio_errori(s):
    """"8/10" in a scale cell (Calc makes it a date: named as a date), "0,7" in a % indicator
    (a warning: 70%?), a target of 120% (above 100), a word where a number belongs (the states
    allowed are listed)."""
    monitoraggio_header(s)
    date = indicator(s, 0, "E. Anziani", "PROCESSO. Processo", "Soddisfazione delle famiglie", "scala 1-10", "8", "8/10")
    low = indicator(s, 1, "D. Domiciliarità", "OUTCOME. Outcome / impatto", "Enti aderenti", "%", "70", "0,7")
    high = indicator(s, 2, "D. Domiciliarità", "OUTCOME. Outcome / impatto", "Copertura", "%", "120%", "90%")
    word = indicator(s, 3, "D. Domiciliarità", "OUTPUT. Output (risultato)", "Persone assistite", "n.", "300", "circa 40")
    d, l, h, w = date["valore_realizzato"], low["valore_realizzato"], high["valore_atteso"], word["valore_realizzato"]
    s.stored("indicatori", d, format_has="AA")  # a date: GG/MM/AAAA in Italian
    s.stored("indicatori", l, number=0.7)
    return Expect(errors={("MON-INDICATORI-VALORE_REALIZZATO-FORMATO", d), ("MON-R03", h), ("MON-INDICATORI-VALORE_REALIZZATO-FORMATO", w)},
                  warnings={("MON-R09", l)},
                  messages={("MON-INDICATORI-VALORE_REALIZZATO-FORMATO", d): ["data"], ("MON-R09", l): ["70"],
                            ("MON-INDICATORI-VALORE_REALIZZATO-FORMATO", w): ["numero", "In definizione"]})


def monitoraggio_incollati(s):
    """Types and units pasted as the template's instructions and clerks write them
    ("OUTCOME/IMPATTO", "numero", "percentuale"): obvious synonyms, accepted."""
    monitoraggio_header(s)
    indicator(s, 0, "D. Domiciliarità", "OUTCOME/IMPATTO", "Enti aderenti", "percentuale", "70", "75")
    indicator(s, 1, "D. Domiciliarità", "OUTPUT", "Persone assistite", "numero", "300", "320")
    return Expect(pending="voci incollate: sinonimi ovvi accettati")


def premialita_common(s, objective):
    s.field("ente_capofila", "Comune di Lodi")
    s.field("ambito", "Ambito territoriale di Lodi")
    s.field("rappresentante_legale", "Luca Ferrari")
    s.field("luogo", "Lodi")
    s.field("data_richiesta", "24/02/2022")
    s.field("titolo", "Nuovi bisogni nella domiciliarità: ripensare i percorsi di dimissioni protette")
    s.field("macroarea", "D. Domiciliarità")
    s.mark("punti_chiave", "D1.")
    s.mark("punti_chiave", "D3.")
    s.field("obiettivo", objective)
    s.field("ats", "MI. ATS della Città Metropolitana di Milano")
    s.field("coincide_distretto", "SI")
    s.field("nota_distretto", "L'Ambito di Lodi coincide con il Distretto sociosanitario.")
    s.fill_row("ambiti_coinvolti", s.body_row("ambiti_coinvolti", 0), ambito="Ambito territoriale di Lodi")
    s.fill_row("asst_coinvolte", s.body_row("asst_coinvolte", 0), asst="ASST di Lodi")
    s.fill_row("altri_enti", s.body_row("altri_enti", 0), ente="Emmaus Onlus", tipo="Terzo Settore")
    for field in ["modalita_integrazione", "contesto", "innovazione", "attivita", "beneficiari", "potenzialita"]:
        s.field(field, text_of_words(120, "Descrizione"))
    s.mark("integrazione_macroaree", "E.")
    s.fill_row("cronoprogramma", s.body_row("cronoprogramma", 0), attivita="Fase di avvio progetto", t1="X", t2="X")
    s.fill_row("cronoprogramma", s.body_row("cronoprogramma", 1), attivita="Fase di realizzazione", t3="X", t4="X", t5="X")
    s.fill_row("criticita", s.body_row("criticita", 0), rischio="Quadri di riferimento diversi tra professionisti",
               soluzione="Un protocollo condiviso per l'accesso all'ospitalità")


def premialita_valida(s):
    """The seed's project 1 typed in Calc: amounts in Italian ("19.346,88", "€ 2.500"), a target
    typed "60%", a 600-word objective with bullets and a euro sign, a row inserted in the budget
    with its cost typed: valid, no warnings."""
    premialita_common(s, text_of_words(600))
    s.fill_row("deliverable", s.body_row("deliverable", 0), deliverable="Nuovo protocollo per le dimissioni protette",
               indicatore="n. protocolli", unita="n.", valore_atteso="1", fonte_verifica="Protocollo sottoscritto")
    s.fill_row("deliverable", s.body_row("deliverable", 1), deliverable="Autonomia delle persone coinvolte",
               indicatore="% di destinatari autonomi", unita="%", valore_atteso="60%", fonte_verifica="Relazione finale")
    s.fill_row("risorse_economiche", s.body_row("risorse_economiche", 0), attivita="1.Fase di avvio progetto", asst="€ 2.500",
               fnps="3.000")
    s.fill_row("risorse_economiche", s.body_row("risorse_economiche", 1), attivita="2.Fase di realizzazione",
               fonti_proprie="19.346,88", ats="4.000", fondazione="17.760", terzo_settore="3.500,00")
    inserted = s.insert_row_before("risorse_economiche", s.body_row("risorse_economiche", 1))
    s.fill_row("risorse_economiche", inserted, attivita="1bis.Formazione degli operatori", costo_totale="1.200,00",
               fonti_proprie="1.200")
    s.fill_row("risorse_umane", s.row_of("risorse_umane", "Assistente sociale"), asst="1.000", fnps="3.000")
    return Expect()


def premialita_errori(s):
    """A source typed "19.346,88 euro" and a cost typed as text ("'5.500,00") under the TOT
    formulas that skip text: each named at its own cell, the totals they spoil not reported on
    top; a % target typed "120%" (above 100); a 601-word objective (bullets not counted)."""
    objective = s.field_address("obiettivo")
    premialita_common(s, text_of_words(601))
    s.fill_row("deliverable", s.body_row("deliverable", 0), deliverable="Autonomia delle persone coinvolte",
               indicatore="% di destinatari autonomi", unita="%", valore_atteso="120%", fonte_verifica="Relazione finale")
    target = f"D{s.body_row('deliverable', 0) + 1}"
    first = s.body_row("risorse_economiche", 0)
    cost = s.fill_row("risorse_economiche", first, attivita="1.Fase di avvio progetto", costo_totale="'5.500,00", asst="2.500",
                      fnps="3.000")["costo_totale"]
    euro = s.fill_row("risorse_economiche", first + 1, attivita="2.Fase di realizzazione", fonti_proprie="19.346,88 euro",
                      ats="4.000", fondazione="17.760", terzo_settore="3.500")["fonti_proprie"]
    return Expect(errors={("PREM-RISORSE_ECONOMICHE-COSTO_TOTALE-TESTO", cost), ("PREM-RISORSE_ECONOMICHE-FONTI_PROPRIE-TESTO", euro),
                          ("PREM-R09", target), ("PREM-OBIETTIVO-PAROLE", objective)},
                  messages={("PREM-OBIETTIVO-PAROLE", objective): ["601"]})


def premialita_percentuale_bassa(s):
    """A % target typed "0,8" (meant 80%?): a warning, as in monitoraggio."""
    premialita_common(s, text_of_words(100))
    s.fill_row("deliverable", s.body_row("deliverable", 0), deliverable="Autonomia delle persone coinvolte",
               indicatore="% di destinatari autonomi", unita="%", valore_atteso="0,8", fonte_verifica="Relazione finale")
    s.fill_row("risorse_economiche", s.body_row("risorse_economiche", 0), attivita="1.Fase di avvio progetto", asst="2.500")
    target = f"D{s.body_row('deliverable', 0) + 1}"
    return Expect(warnings={("PREM-*", target)}, pending="premialità: avviso per un valore in % pari o inferiore a 1")


def spesa_anno_diverso(s):
    """A valid 2024 file checked for the campaign of 2025 (validate --anno 2025): refused at the
    year's cell with a clear message."""
    spesa_header(s)
    s.fill_row("spesa", s.row_of("spesa", "Anziani"), risorse_comune="45.000")
    year = s.field_address("anno")
    return Expect(errors={("SSC-*", year)}, messages={("SSC-*", year): ["2025"]}, options=["--anno", "2025"],
                  pending="validate --anno: l'anno dichiarato diverso da quello chiesto")


def premialita_gantt_colonna_aggiunta(s):
    """A quarter added by the clerk to the Gantt after the last period (header "2024", sheet
    unprotected to type there) with a mark: the mark is outside the template's periods, an error."""
    premialita_common(s, text_of_words(100))
    s.fill_row("deliverable", s.body_row("deliverable", 0), deliverable="Nuovo protocollo", indicatore="n. protocolli", unita="n.",
               valore_atteso="1", fonte_verifica="Protocollo sottoscritto")
    s.fill_row("risorse_economiche", s.body_row("risorse_economiche", 0), attivita="1.Fase di avvio progetto", asst="2.500")
    sheet, header, last = s.table("cronoprogramma")
    s.unprotect("cronoprogramma")
    added = len(s.spec_table("cronoprogramma")["columns"]) + 1  # the column after the last period
    s.type(sheet, header, added, "2024")
    mark = s.type(sheet, header + 2, added, "X")
    return Expect(errors={("PREM-R12", mark)}, pending="Gantt: segni fuori dalle colonne dei periodi del modello")


CASES = [
    ("spesa-sociale-comune", spesa_valida),
    ("spesa-sociale-comune", spesa_riga_senza_area),
    ("spesa-sociale-comune", spesa_testo),
    ("rendiconto-ambito", rendiconto_valido),
    ("rendiconto-ambito", rendiconto_riga_sopra_totale),
    ("rendiconto-ambito", rendiconto_ats_incollata),
    ("rendiconto-ambito", rendiconto_fondo_fuori_elenco),
    ("rendiconto-ambito", rendiconto_importo_illeggibile),
    ("spesa-sociale-comune", spesa_anno_diverso),
    ("monitoraggio-obiettivi", monitoraggio_valido),
    ("monitoraggio-obiettivi", monitoraggio_errori),
    ("monitoraggio-obiettivi", monitoraggio_incollati),
    ("premialita", premialita_valida),
    ("premialita", premialita_errori),
    ("premialita", premialita_percentuale_bassa),
    ("premialita", premialita_gantt_colonna_aggiunta),
]


# ---------------------------------------------------------------------------------------------
# Checking


def matches(expected_code, code):
    return code.startswith(expected_code[:-1]) if expected_code.endswith("*") else code == expected_code


def compare(expect, issues):
    """What differs between the expectation and the report's issues, as lines."""
    problems = []
    for severity, wanted in (("errore", expect.errors), ("avviso", expect.warnings)):
        found = {(i["code"], i["cell"]) for i in issues if i["severity"] == severity}
        for code, cell in wanted:
            if not any(matches(code, c) and cell == where for c, where in found):
                problems.append(f"manca {severity} {code}@{cell}")
        for code, cell in sorted(found):
            if not any(matches(c, code) and where == cell for c, where in wanted):
                message = next(i["message"]["it"] for i in issues if (i["code"], i["cell"]) == (code, cell))
                problems.append(f"{severity} in più {code}@{cell}: {message}")
    for (code, cell), texts in expect.messages.items():
        for issue in issues:
            if (issue["code"], issue["cell"]) == (code, cell):
                missing = [t for t in texts if t not in issue["message"]["it"]]
                if missing:
                    problems.append(f"{code}@{cell}: il messaggio «{issue['message']['it']}» non contiene {missing}")
    return problems


def main():
    cli, source_dir = sys.argv[1], sys.argv[2]
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    if shutil.which("soffice") is None:
        print("LibreOffice non installato: test saltato")
        return 77
    try:
        import uno  # noqa: F401
    except ImportError:
        print("python3-uno non installato: test saltato")
        return 77
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TIME_LIMIT_S)
    plugins = os.path.join(source_dir, "plugins")
    work = keep or tempfile.mkdtemp(prefix="consolida-typing-")
    os.makedirs(work, exist_ok=True)
    started = time.monotonic()
    try:
        specs, templates = {}, {}
        for form in FORMS:
            templates[form] = os.path.join(work, f"modello-{form}.xlsx")
            subprocess.run([cli, "template", form, "-o", templates[form], "--plugins", plugins], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(plugins, form, "form.json"), encoding="utf-8") as spec:
                specs[form] = json.load(spec)
        filled, failed, pending_failed = [], [], []
        with Calc() as calc:
            for form, case in CASES:
                path = os.path.join(work, case.__name__.replace("_", "-") + ".xlsx")
                try:
                    sheet = calc.open(templates[form], specs[form])
                    try:
                        expect = case(sheet)
                        sheet.save_as_xlsx(path)
                    finally:
                        sheet.close()
                except TimeLimit:
                    raise
                except Exception as error:  # this case, not the run: the next ones still say something
                    failed.append(case.__name__)
                    print(f"FALLITO {case.__name__}: compilazione in Calc: {type(error).__name__}: {error}")
                    continue
                filled.append((case, path, expect))
        typed = time.monotonic() - started
        for case, path, expect in filled:
            run = subprocess.run([cli, "validate", path, "--format", "json", "--plugins", plugins] + expect.options,
                                 capture_output=True, text=True)
            try:
                report = json.loads(run.stdout)["files"][0]
            except ValueError:
                report = {"error": f"validate {' '.join(expect.options)}: uscita {run.returncode}: {run.stderr.strip()[:300]}"}
            problems = ["il file non è stato letto: " + json.dumps(report.get("error"), ensure_ascii=False)] if "error" in report else compare(expect, report["issues"])
            if not expect.errors and run.returncode != 0:
                problems.append(f"uscita {run.returncode}, attesa 0")
            name = case.__name__
            if problems:
                (pending_failed if expect.pending else failed).append(name)
                note = f" (in corso: {expect.pending})" if expect.pending else ""
                print(f"FALLITO {name}{note}: {os.path.basename(path)}")
                for line in problems:
                    print("    " + line)
            else:
                print(f"ok      {name}")
        print(f"{len(filled)} file compilati in Calc in {typed:.1f} s, verificati in {time.monotonic() - started - typed:.1f} s")
        print(f"{len(CASES) - len(failed) - len(pending_failed)} passed, {len(failed) + len(pending_failed)} failed"
              + (f" ({len(pending_failed)} on points still in progress)" if pending_failed else ""))
        return 1 if failed or pending_failed else 0
    finally:
        signal.alarm(0)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
