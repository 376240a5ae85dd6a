#!/usr/bin/python3
"""Fills the premialità template the way a clerk would, with openpyxl (independent of consolida's
own code), from the three projects of the Ambito di Lodi in seed 002, and writes broken variants.

    build/consolida template premialita -o /tmp/t.xlsx
    /usr/bin/python3 sample-workbooks/make_premialita_samples.py /tmp/t.xlsx sample-workbooks/premialita
    (or TEMPLATE OUT.xlsx --one-clean-with-formulas: only project 1, keeping the TOT formulas)

Also writes expected.json: for each file, the rule codes (and cells) a correct validator must
report. The expectations are written here by hand, per variant, from the form's rules."""
import copy
import json
import os
import re
import sys

import openpyxl

TEMPLATE, OUT = sys.argv[1], sys.argv[2]
SHEET = "Scheda progetto"


def destination(wb, name):
    dn = wb.defined_names.get(name)
    sheet, ref = list(dn.destinations)[0]
    return wb[sheet], ref.replace("$", "")


def bounds(ref):
    m = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", ref)
    return m.group(1), int(m.group(2)), m.group(3) or m.group(1), int(m.group(4) or m.group(2))


class Form:
    def __init__(self):
        self.wb = openpyxl.load_workbook(TEMPLATE)

    def field_cell(self, field):
        ws, ref = destination(self.wb, "F_" + field)
        return ws[ref.split(":")[0]]

    def set(self, field, value):
        self.field_cell(field).value = value

    def mark(self, field, label_start, mark="X"):
        ws, ref = destination(self.wb, "F_" + field)
        _, first, _, last = bounds(ref)
        for row in range(first, last + 1):
            if str(ws.cell(row, 1).value).startswith(label_start):
                ws.cell(row, 2).value = mark
                return ws.cell(row, 2).coordinate
        raise KeyError(label_start)

    def table(self, table):
        ws, ref = destination(self.wb, "T_" + table)
        _, header, _, last = bounds(ref)
        return ws, header, last

    def row(self, table, index, key, *values):
        """Writes body row `index` (0-based): key in column A, values in B, C, ..."""
        ws, header, _ = self.table(table)
        r = header + 1 + index
        if key is not None:
            ws.cell(r, 1).value = key
        for c, v in enumerate(values):
            if v is not None:
                ws.cell(r, 2 + c).value = v
        return r

    def cell_of(self, table, index, column):
        ws, header, _ = self.table(table)
        return ws.cell(header + 1 + index, column).coordinate

    def total_row(self, table):
        ws, header, last = self.table(table)
        return last

    def insert_row(self, at_row):
        """Inserts a sheet row as Excel does: cells move down and defined names follow."""
        ws = self.wb[SHEET]
        ws.insert_rows(at_row)
        for dn in list(self.wb.defined_names.definedName):
            def shift(m):
                col, row = m.group(1), int(m.group(2))
                return f"${col}${row + 1 if row >= at_row else row}"
            dn.attr_text = re.sub(r"\$([A-Z]+)\$(\d+)", shift, dn.attr_text)
        # Formulas of the TOT rows: widen the SUM ranges below the inserted row.
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=SUM("):
                    cell.value = re.sub(r"([A-Z]+)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + (1 if int(m.group(2)) >= at_row else 0)), cell.value)

    def save(self, name):
        path = os.path.join(OUT, name)
        self.wb.save(path)
        return path


LONG = ("Accrescere la flessibilità dello strumento delle dimissioni protette ed ampliare il target di utenza a cui è rivolto "
        "per rispondere in maniera più adeguata ai nuovi bisogni delle persone. La proposta intende sperimentare la dimissione "
        "del paziente non solo al proprio domicilio ma anche in contesti abitativi tutelanti e temporanei con l'introduzione di "
        "un accompagnamento educativo finalizzato al reinserimento sociale.")


def common(form, titolo, macroarea, punti):
    form.set("ente_capofila", "Comune di Lodi")
    form.set("ambito", "Ambito territoriale di Lodi")
    form.set("rappresentante_legale", "Luca Ferrari")
    form.set("luogo", "Lodi")
    form.set("data_richiesta", "24/02/2022")
    form.set("titolo", titolo)
    form.set("macroarea", macroarea)
    for p in punti:
        form.mark("punti_chiave", p)
    form.set("ats", "MI. ATS della Città Metropolitana di Milano")
    form.set("coincide_distretto", "SI")
    form.set("nota_distretto", "L'Ambito di Lodi coincide con il confine del Distretto Sociosanitario pertanto, come previsto "
             "dalle Linee Guida approvate con DGR 4563/2021, non è vincolante la presentazione del progetto in collaborazione con un altro Ambito.")
    form.row("ambiti_coinvolti", 0, "Ambito territoriale di Lodi")
    form.row("asst_coinvolte", 0, "ASST di Lodi")
    form.row("altri_enti", 0, "Comuni dell'Ambito", "Comune")
    form.row("altri_enti", 1, "Fondazione Comunitaria della Provincia di Lodi", "Fondazione")
    form.row("altri_enti", 2, "Emmaus Onlus", "Terzo Settore")
    form.set("modalita_integrazione", "Il coordinamento di progetto avverrà all'interno di un tavolo di coordinamento a cui parteciperà "
             "l'assistente sociale d'Ambito, un referente per ASST e un referente per ogni Ente del Terzo Settore.")
    form.set("contesto", "L'Ambito di Lodi sta registrando numerose richieste di collaborazione da parte di ASST per reperire una "
             "sistemazione abitativa provvisoria ad utenti in dimissione dai servizi ospedalieri.")
    form.set("innovazione", "Servizi sociali e sanitari lavorano insieme per trovare la soluzione adeguata alle esigenze di ciascun utente.")
    form.set("attivita", "1. Fase di avvio progetto: revisione del protocollo. 2. Fase di realizzazione: valutazione dei bisogni e accoglienza.")
    form.set("beneficiari", "Le persone che necessitano di accedere allo strumento delle dimissioni protette; stimati 12 percorsi.")
    form.set("potenzialita", "Tutti i partner sono interessati ad adottare il modello come strumento operativo anche in futuro.")
    form.row("criticita", 0, "Difficoltà di confrontarsi su diversi quadri di riferimento fra diversi professionisti",
             "Stesura di un protocollo che individui una procedura per l'accesso all'ospitalità abitativa")


def dimissioni(form, amounts_as_text=False, type_totals=True):
    """Project 1 of seed 002, "Nuovi bisogni nella domiciliarità"."""
    common(form, "Nuovi bisogni nella domiciliarità: ripensare i percorsi di dimissioni protette", "D. Domiciliarità",
           ["D1.", "D3."])
    form.set("obiettivo", LONG)
    form.mark("integrazione_macroaree", "E.")
    form.mark("integrazione_macroaree", "A.")
    form.mark("integrazione_macroaree", "B.")
    form.mark("integrazione_macroaree", "C.")
    form.row("deliverable", 0, "Sottoscrizione di un nuovo protocollo per la gestione delle dimissioni protette", "n. protocolli", "n.", 1, "Protocollo sottoscritto")
    form.row("deliverable", 1, "Progetti di dimissioni protette extra domicilio attivati", "n. dimissioni protette", "n.", 12,
             "Documenti descrittivi delle dimissioni protette")
    form.row("deliverable", 2, "Aumento del benessere e dell'autonomia delle persone coinvolte",
             "% di destinatari che raggiungono l'autonomia al termine degli interventi", "%", 60, "Relazione finale del case manager")
    form.row("cronoprogramma", 0, "Fase di avvio progetto", "X", "X")
    form.row("cronoprogramma", 1, "Fase di realizzazione", None, None, "X", "X", "X", "X", "X")
    e = (lambda text, number: text) if amounts_as_text else (lambda text, number: number)
    # Columns: costo, proprie, comuni, ATS, ASST, fondazione, FNPS, terzo settore (seed 002, "Risorse economiche").
    form.row("risorse_economiche", 0, "1.Fase di avvio progetto", e("€ 5.500", 5500), None, None, None, e("€ 2.500", 2500), None, e("€ 3.000", 3000), None)
    form.row("risorse_economiche", 1, "2.Fase di realizzazione", e("€ 44.606,88", 44606.88), e("€ 19.346,88", 19346.88), None,
             e("€ 4.000", 4000), None, e("€ 17.760", 17760), None, e("€3.500", 3500))
    ws, header, last = form.table("risorse_economiche")
    for col, value in zip(range(2, 10), [50106.88, 19346.88, 0, 4000, 2500, 17760, 3000, 3500]):
        if type_totals:
            ws.cell(last, col).value = value  # typed over the formulas, as the clerks of seed 002 did
    form.row("risorse_umane", 0, None, None, None, None, e("€ 1.000", 1000), None, e("€ 3.000", 3000), None)
    form.row("risorse_umane", 1, None, None, None, None, None, e("€ 17.760", 17760), None, None)
    form.row("risorse_umane", 3, None, None, None, None, e("€1.500", 1500), None, None, None)
    form.row("risorse_umane", 5, None, None, None, None, None, None, None, e("€3.500", 3500))


def riabita(form):
    """Project 3 of seed 002, "RIAbita: RETE PER L'INTEGRAZIONE ABITATIVA"."""
    common(form, "RIAbita: RETE PER L'INTEGRAZIONE ABITATIVA", "B. Politiche abitative", ["B4."])
    form.set("obiettivo", "Creare una rete territoriale per l'integrazione abitativa che metta in relazione risorse abitative e persone in stato di bisogno.")
    form.row("deliverable", 0, "Protocollo territoriale per l'abitare", "n. protocolli", "n.", 1, "Protocollo sottoscritto")
    form.row("cronoprogramma", 0, "Intervento 1 - Identificazione del Pivot", "X", "X")
    form.row("cronoprogramma", 1, "Intervento 2 - Raccolta delle informazioni", None, "X", "X")
    form.row("cronoprogramma", 2, "Intervento 3 - Protocollo territoriale", None, None, "X", "X")
    form.row("cronoprogramma", 3, "Intervento 4 - Equipe territoriali", None, None, None, "X", "X", "X", "X")
    form.row("risorse_economiche", 0, "Intervento 1 - Identificazione del Pivot", 500, 500)
    form.row("risorse_economiche", 1, "Intervento 2 - Raccolta delle informazioni", 2000, None, None, 2000)
    form.row("risorse_economiche", 2, "Intervento 3 - Protocollo territoriale", 3000, 1000, None, 2000)
    form.row("risorse_economiche", 3, "Intervento 4 - Equipe territoriali", 8000, 6500, None, None, None, None, None, 1500)
    ws, header, last = form.table("risorse_economiche")
    for col, value in zip(range(2, 10), [13500, 8000, 0, 4000, 0, 0, 0, 1500]):
        ws.cell(last, col).value = value
    form.row("risorse_umane", 0, None, 2000)
    form.row("risorse_umane", 5, None, None, None, None, None, None, None, 1500)
    form.row("risorse_umane", 6, "Operatore di rete", None, None, 10000)


def casi_complessi(form):
    """Project 2 of seed 002: the seed gives no budget and no deliverables, so neither does this copy."""
    common(form, "Il Sistema degli interventi socio-sanitari integrati nella gestione dei casi complessi",
           "A. Contrasto alla povertà e all'emarginazione sociale", ["A1.", "A4.", "A5."])
    form.set("obiettivo", "Rafforzare la presa in carico integrata dei casi complessi tra servizi sociali e sanitari.")
    form.row("cronoprogramma", 0, "Valutazioni multidimensionali integrate", "X", "X", "X", "X", "X", "X", "X")


if len(sys.argv) > 3 and sys.argv[3] == "--one-clean-with-formulas":
    # For the LibreOffice round trip: project 1 with the template's TOT formulas left in place
    # (openpyxl stores them without results; LibreOffice must compute them). OUT is a file here.
    form = Form()
    dimissioni(form, type_totals=False)
    form.wb.save(OUT)
    sys.exit(0)

os.makedirs(OUT, exist_ok=True)
import shutil
shutil.copy(TEMPLATE, os.path.join(OUT, "modello-premialita-vuoto.xlsx"))  # the blank template, as downloaded
expected = {}
E = "errore"


def expect(name, *issues):
    expected[name] = [{"code": code, "cell": cell} for code, cell in issues]


# The three projects.
f = Form(); dimissioni(f); f.save("lodi-dimissioni-protette.xlsx"); expect("lodi-dimissioni-protette.xlsx")
f = Form(); riabita(f); f.save("lodi-riabita.xlsx"); expect("lodi-riabita.xlsx")
f = Form(); casi_complessi(f); f.save("lodi-casi-complessi.xlsx")
expect("lodi-casi-complessi.xlsx", ("PREM-R07", f.cell_of("deliverable", 0, 1)), ("PREM-R13", f.cell_of("risorse_economiche", 0, 1)))

# Seed 002 as written: amounts as Italian text, the malformed TOT "€ 5.0106,88", the Gantt left empty.
f = Form(); dimissioni(f, amounts_as_text=True)
ws, header, last = f.table("risorse_economiche")
ws.cell(last, 2).value = "€ 5.0106,88"
for c in range(3, 10):
    ws.cell(last, c).value = None
for i in range(2):
    for c in range(2, 9):
        ws.cell(f.table("cronoprogramma")[1] + 1 + i, c).value = None
f.save("lodi-dimissioni-protette-come-nel-seed.xlsx")
expect("lodi-dimissioni-protette-come-nel-seed.xlsx",
       ("PREM-RISORSE_ECONOMICHE-COSTO_TOTALE-FORMATO", ws.cell(last, 2).coordinate),
       ("PREM-R11", f.cell_of("cronoprogramma", 0, 2)), ("PREM-R11", f.cell_of("cronoprogramma", 1, 2)))

# One broken variant per rule, each from the clean project 1.
def variant(name, change, *issues):
    form = Form()
    dimissioni(form)
    issues = change(form) or issues
    form.save(name)
    expect(name, *issues)

variant("errore-obbligatori-mancanti.xlsx",
        lambda f: (f.set("titolo", None), f.set("obiettivo", "  "),
                   [("PREM-TITOLO-OBBL", f.field_cell("titolo").coordinate), ("PREM-OBIETTIVO-OBBL", f.field_cell("obiettivo").coordinate)])[-1])
variant("errore-punto-chiave-altra-macroarea.xlsx",
        lambda f: [("PREM-R02", f.mark("punti_chiave", "A1."))])
variant("errore-nessun-punto-chiave.xlsx",
        lambda f: ([setattr(f.field_cell("punti_chiave").parent.cell(r, 2), "value", None)
                    for r in range(bounds(destination(f.wb, "F_punti_chiave")[1])[1], bounds(destination(f.wb, "F_punti_chiave")[1])[3] + 1)],
                   [("PREM-R01", f.mark("punti_chiave", "D1.", mark=None))])[-1])
variant("errore-macroarea-fuori-elenco.xlsx",
        lambda f: (f.set("macroarea", "Z. Altro"), [("PREM-MACROAREA-LISTA", f.field_cell("macroarea").coordinate)])[-1])
variant("errore-un-solo-ambito.xlsx",
        lambda f: (f.set("coincide_distretto", "NO"), [("PREM-R03", f.cell_of("ambiti_coinvolti", 1, 1))])[-1])
variant("errore-nota-distretto-mancante.xlsx",
        lambda f: (f.set("nota_distretto", None), [("PREM-R04", f.field_cell("nota_distretto").coordinate)])[-1])
variant("errore-nessuna-asst.xlsx",
        lambda f: (f.row("asst_coinvolte", 0, ""), [("PREM-R05", f.cell_of("asst_coinvolte", 0, 1))])[-1])
variant("errore-integrazione-stessa-macroarea.xlsx",
        lambda f: [("PREM-R06", f.mark("integrazione_macroaree", "D."))])
variant("errore-deliverable-senza-indicatore.xlsx",
        lambda f: (f.table("deliverable")[0].cell(f.table("deliverable")[1] + 1, 2).__setattr__("value", None),
                   [("PREM-R08", f.cell_of("deliverable", 0, 2))])[-1])
variant("errore-percentuale-oltre-100.xlsx",
        lambda f: (f.row("deliverable", 2, None, None, None, 160), [("PREM-R09", f.cell_of("deliverable", 2, 4))])[-1])
# "60%" typed as a fraction (or read from a percent cell by a tool that keeps 0,6): 0,6% is queried.
variant("avviso-percentuale-come-frazione.xlsx",
        lambda f: (f.row("deliverable", 2, None, None, None, 0.6), [("PREM-R17", f.cell_of("deliverable", 2, 4))])[-1])
def empty_gantt(f):
    ws, header, last = f.table("cronoprogramma")
    for r in range(header + 1, last + 1):
        for c in range(1, 9):
            ws.cell(r, c).value = None
    return [("PREM-R10", f.cell_of("cronoprogramma", 0, 1))]
variant("errore-cronoprogramma-vuoto.xlsx", empty_gantt)
variant("errore-attivita-senza-trimestri.xlsx",
        lambda f: (f.row("cronoprogramma", 2, "Fase di valutazione finale"), [("PREM-R11", f.cell_of("cronoprogramma", 2, 2))])[-1])
def gantt_2024(f):
    ws, header, last = f.table("cronoprogramma")
    ws.cell(header, 9).value = "gen 24-mar 24"  # a quarter added after the deadline, right of the table
    ws.cell(header + 2, 9).value = "X"
    return [("PREM-R12", ws.cell(header + 2, 9).coordinate)]
variant("errore-cronoprogramma-oltre-2023.xlsx", gantt_2024)
def gantt_added_columns(f):
    # Columns added right of the chart whose headers do not read as quarters: a year typed as a
    # number, a date, and none at all. Every mark there is outside the template's periods.
    import datetime
    ws, header, last = f.table("cronoprogramma")
    ws.cell(header, 9).value = 2024
    ws.cell(header + 2, 9).value = "X"
    ws.cell(header, 10).value = datetime.date(2024, 1, 15)
    ws.cell(header + 2, 10).value = "X"
    ws.cell(header + 1, 11).value = "X"
    return [("PREM-R12", ws.cell(header + 2, 9).coordinate), ("PREM-R12", ws.cell(header + 2, 10).coordinate),
            ("PREM-R12", ws.cell(header + 1, 11).coordinate)]
variant("errore-cronoprogramma-colonne-aggiunte.xlsx", gantt_added_columns)
def gantt_relabelled(f):
    # The last quarter renamed to stretch it past the deadline: the header and its marks.
    ws, header, last = f.table("cronoprogramma")
    ws.cell(header, 8).value = "ott 23-mar 24"
    return [("PREM-R12", ws.cell(header, 8).coordinate), ("PREM-R12", ws.cell(header + 2, 8).coordinate)]
variant("errore-cronoprogramma-trimestre-rinominato.xlsx", gantt_relabelled)
variant("errore-bilancio-non-quadra.xlsx",
        lambda f: (f.row("risorse_economiche", 1, None, 44000), [("PREM-R14", f.cell_of("risorse_economiche", 1, 2)),
                                                                   ("PREM-R15", f.table("risorse_economiche")[0].cell(f.total_row("risorse_economiche"), 2).coordinate)])[-1])
variant("errore-tot-sbagliato.xlsx",
        lambda f: (f.table("risorse_economiche")[0].cell(f.total_row("risorse_economiche"), 8).__setattr__("value", 3300),
                   [("PREM-R15", f.table("risorse_economiche")[0].cell(f.total_row("risorse_economiche"), 8).coordinate)])[-1])
variant("errore-importo-negativo.xlsx",
        lambda f: (f.row("risorse_umane", 2, None, -100),
                   [("PREM-RISORSE_UMANE-PROPRIE-MIN", f.cell_of("risorse_umane", 2, 2))])[-1])
variant("errore-obiettivo-oltre-600-parole.xlsx",
        lambda f: (f.set("obiettivo", " ".join(["parola"] * 650)), [("PREM-OBIETTIVO-PAROLE", f.field_cell("obiettivo").coordinate)])[-1])
variant("errore-data-prima-della-dgr.xlsx",
        lambda f: (f.set("data_richiesta", "14/12/2020"), [("PREM-DATA_RICHIESTA-DATA", f.field_cell("data_richiesta").coordinate)])[-1])
variant("errore-data-impossibile.xlsx",
        lambda f: (f.set("data_richiesta", "31/02/2022"), [("PREM-DATA_RICHIESTA-FORMATO", f.field_cell("data_richiesta").coordinate)])[-1])
variant("avviso-asst-di-altra-ats.xlsx",
        lambda f: (f.row("asst_coinvolte", 0, "ASST di Pavia"), [("PREM-N01", f.cell_of("asst_coinvolte", 0, 1))])[-1])
def renamed_sheet(f):
    f.wb[SHEET].title = "Progetto Lodi"  # openpyxl leaves the defined names on the old name
    return [("PREM-FOGLIO", None)]
variant("errore-foglio-rinominato.xlsx", renamed_sheet)
def no_total_row(f):
    ws, header, last = f.table("risorse_economiche")
    ws.cell(last, 1).value = None
    return [("PREM-RISORSE_ECONOMICHE-TOT", None)]
variant("errore-riga-tot-cancellata.xlsx", no_total_row)
def lost_field(f):
    # A file rebuilt by hand: the title's defined name is gone and its label reworded.
    label = f.field_cell("titolo").parent.cell(f.field_cell("titolo").row, 1)
    label.value = "Nome dell'iniziativa"
    del f.wb.defined_names["F_titolo"]
    return [("PREM-TITOLO-ASSENTE", None)]
variant("errore-campo-non-trovato.xlsx", lost_field)
variant("avviso-rischio-senza-soluzione.xlsx",
        lambda f: (f.row("criticita", 1, "Tempi più lunghi di quelli previsti"), [("PREM-R16", f.cell_of("criticita", 1, 2))])[-1])

# Valid variants: things a clerk does that must not break reading.
def inserted_row(f):
    ws, header, last = f.table("risorse_economiche")
    f.insert_row(header + 2)  # a row between the two activities, left empty
    return []
variant("valido-riga-inserita.xlsx", inserted_row)
def italian_text(f):
    f.set("data_richiesta", "24 Febbraio 2022")
    f.row("risorse_umane", 0, None, None, None, None, "€ 1.000,00", None, "3.000 €", None)
    return []
variant("valido-numeri-come-testo.xlsx", italian_text)

json.dump(expected, open(os.path.join(OUT, "expected.json"), "w"), ensure_ascii=False, indent=1)
print(f"{len(expected)} workbooks in {OUT}")
