#!/usr/bin/python3
"""Writes src/registry/data/ambiti.csv and comuni-ambiti.csv: the Ambiti territoriali and the
Ambito of every comune of comuni-lombardia.csv.

Real assignments: Ambito di Lodi (the 60 comuni of the province of Lodi, seed 000), Ambito 5 Melzo
(its 8 comuni, seed 001), Milano (the comune alone, seed 004). Every other Ambito is SYNTHETIC,
for scale tests only: each province is cut into a plausible number of Ambiti by ISTAT code order,
named after their most populous comune and flagged sintetico=1 (and "(sintetico)" in the name).
The ATS follows the province; the ASST is one of that ATS's ASST.

    /usr/bin/python3 scripts/make_registry.py   (deterministic; run from the repository root)
"""
import csv
import os

DATA = os.path.join("src", "registry", "data")
ATS_OF_PROVINCE = {"MI": "MI", "LO": "MI", "VA": "INS", "CO": "INS", "SO": "MONT", "MB": "BRI", "LC": "BRI",
                   "BG": "BG", "BS": "BS", "CR": "VP", "MN": "VP", "PV": "PV"}
# Ambiti per province, 91 in all (Milano's count includes Milano and Melzo, Lodi's is Lodi).
AMBITI_PER_PROVINCE = {"BG": 14, "BS": 12, "CO": 8, "CR": 3, "LC": 3, "LO": 1, "MN": 6, "MB": 5, "PV": 9,
                       "SO": 5, "VA": 10, "MI": 15}
ASST_OF_PROVINCE = {
    "VA": ["ASST dei Sette Laghi", "ASST della Valle Olona"], "CO": ["ASST Lariana"],
    "SO": ["ASST della Valtellina e dell'Alto Lario"], "LC": ["ASST di Lecco"],
    "MB": ["ASST di Monza", "ASST della Brianza"],
    "BG": ["ASST Papa Giovanni XXIII", "ASST di Bergamo Ovest", "ASST di Bergamo Est"],
    "BS": ["ASST degli Spedali Civili di Brescia", "ASST della Franciacorta", "ASST del Garda"],
    "CR": ["ASST di Cremona", "ASST di Crema"], "MN": ["ASST di Mantova"], "PV": ["ASST di Pavia"],
    "MI": ["ASST Rhodense", "ASST Ovest Milanese", "ASST Nord Milano", "ASST Melegnano e della Martesana"],
}
MELZO = ["015059", "015114", "015122", "015142", "015178", "015210", "015224", "015237"]
MILANO = "015146"


def main():
    with open(os.path.join(DATA, "comuni-lombardia.csv"), encoding="utf-8") as f:
        comuni = list(csv.DictReader(f))
    by_code = {c["codice_istat"]: c for c in comuni}
    ambiti = []  # (id, name, ats, asst, capofila, synthetic, aliases, members)
    ambiti.append(("LODI", "Ambito di Lodi", "MI", "ASST di Lodi", "098031", 0,
                   ["Ambito territoriale di Lodi", "Ufficio di Piano di Lodi", "Lodi"],
                   [c["codice_istat"] for c in comuni if c["sigla"] == "LO"]))
    ambiti.append(("MELZO", "Ambito di Melzo", "MI", "ASST Melegnano e della Martesana", "015142", 0,
                   ["Ambito 5 Melzo", "Ambito territoriale 5", "Ambito Territoriale 5 Melzo", "Melzo"], MELZO))
    ambiti.append(("MILANO", "Ambito di Milano", "MI", "ASST Fatebenefratelli Sacco", MILANO, 0,
                   ["Comune di Milano", "Milano"], [MILANO]))
    taken = set(MELZO) | {MILANO}
    for sigla, count in AMBITI_PER_PROVINCE.items():
        if sigla == "LO":
            continue
        members = sorted(c["codice_istat"] for c in comuni if c["sigla"] == sigla and c["codice_istat"] not in taken)
        if sigla == "MI":
            count -= 2
        for k in range(count):
            chunk = members[k * len(members) // count:(k + 1) * len(members) // count]
            capofila = max(chunk, key=lambda code: (int(by_code[code]["popolazione_censimento_2011"]), code))
            name = "Ambito di " + by_code[capofila]["nome"] + " (sintetico)"
            asst = ASST_OF_PROVINCE[sigla][k % len(ASST_OF_PROVINCE[sigla])]
            ambiti.append(("SINT-%s-%02d" % (sigla, k + 1), name, ATS_OF_PROVINCE[sigla], asst, capofila, 1, [], chunk))
    assigned = [code for a in ambiti for code in a[7]]
    assert len(ambiti) == 91, len(ambiti)
    assert sorted(assigned) == sorted(by_code), "every comune in exactly one Ambito"
    with open(os.path.join(DATA, "ambiti.csv"), "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["codice_ambito", "nome", "ats", "asst", "capofila_istat", "sintetico", "alias"])
        for a in ambiti:
            out.writerow([a[0], a[1], a[2], a[3], a[4], a[5], "|".join(a[6])])
    with open(os.path.join(DATA, "comuni-ambiti.csv"), "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["codice_istat", "codice_ambito"])
        for a in ambiti:
            for code in sorted(a[7]):
                out.writerow([code, a[0]])


if __name__ == "__main__":
    main()
