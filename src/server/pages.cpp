#include "server/pages.hpp"

#include "common/csv.hpp"
#include "common/rome_time.hpp"
#include "common/text.hpp"
#include "consolida/report_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>

namespace consolida::server::pages {
namespace {

std::string esc(std::string_view text) { return html_escape(text); }

std::string layout(const std::string& title, const std::string& body, const User* user = nullptr, const std::string& csrf = "") {
  std::ostringstream out;
  out << "<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
      << "<title>" << esc(title) << " - consolida</title><link rel=\"stylesheet\" href=\"/stile.css\"></head><body>"
      << "<header><a href=\"/campagne\" class=\"brand\">consolida · Piani di Zona</a>";
  if (user) {
    out << "<span class=\"who\">" << esc(user->username) << " (" << to_string(user->role)
        << (user->ente.empty() ? "" : " " + esc(user->ente)) << ")</span>"
        << "<form method=\"post\" action=\"/uscita\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"" << esc(csrf)
        << "\"><button type=\"submit\">Esci</button></form>";
  }
  out << "</header><main><h1>" << esc(title) << "</h1>" << body << "</main></body></html>";
  return out.str();
}

std::string state_class(EnteState state) {
  switch (state) {
    case EnteState::valido: return "ok";
    case EnteState::in_ritardo: return "late";
    case EnteState::con_errori: return "ko";
    case EnteState::mancante: return "missing";
    case EnteState::file_mancante: return "ko";
  }
  return "";
}

// The report's JSON as an object of the answer, its keys in the schema's order.
Poco::JSON::Object::Ptr report_object(const forms::Report& report) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
  return parser.parse(forms::to_json(report)).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

std::string stylesheet() {
  return "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}header{background:#0b3d91;color:#fff;padding:.6em 1em;"
         "display:flex;gap:1em;align-items:center}header a{color:#fff}.brand{font-weight:bold;text-decoration:none}.who{margin-left:auto}"
         "main{padding:1em;max-width:80em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.3em .6em;"
         "text-align:left;vertical-align:top}th{background:#e8eef8}.ok{color:#0a6b0a;font-weight:bold}.ko{color:#b00020;font-weight:bold}"
         ".late{color:#8a5a00;font-weight:bold}.missing{color:#555}.inline{display:inline}label{display:block;margin:.5em 0 .2em}"
         "button,input[type=submit]{padding:.4em 1em}.box{border:1px solid #999;padding:1em;margin:1em 0}:focus{outline:3px solid #f90}" +
         receipt_stylesheet();
}

std::string login_page(const std::string& error) {
  std::ostringstream body;
  if (!error.empty()) body << "<p class=\"ko\" role=\"alert\">" << esc(error) << "</p>";
  body << "<form method=\"post\" action=\"/accesso\" class=\"box\">"
       << "<label for=\"utente\">Nome utente</label><input id=\"utente\" name=\"utente\" autocomplete=\"username\" required>"
       << "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required>"
       << "<p><button type=\"submit\">Accedi</button></p></form>";
  return layout("Accesso", body.str());
}

std::string message_page(const std::string& it, const std::string& en, int status) {
  std::ostringstream body;
  body << "<p class=\"ko\" role=\"alert\">" << esc(it) << "</p><p lang=\"en\"><small>" << esc(en) << " (HTTP " << status
       << ")</small></p><p><a href=\"/campagne\">Torna alle campagne</a></p>";
  return layout("Richiesta non accolta", body.str());
}

std::string countdown(std::int64_t deadline, std::int64_t now) {
  const std::int64_t left = deadline - now;
  const std::int64_t span = left >= 0 ? left : -left;
  const std::int64_t days = span / 86400, hours = span % 86400 / 3600, minutes = span % 3600 / 60;
  std::string text;
  if (days > 0) text = std::to_string(days) + (days == 1 ? " giorno e " : " giorni e ") + std::to_string(hours) + (hours == 1 ? " ora" : " ore");
  else if (hours > 0) text = std::to_string(hours) + (hours == 1 ? " ora e " : " ore e ") + std::to_string(minutes) + " minuti";
  else text = std::to_string(minutes) + " minuti";
  return left >= 0 ? "mancano " + text + " alla scadenza" : "scaduta da " + text;
}

std::string campaigns_page(const User& user, const std::string& csrf, const std::vector<Campaign>& campaigns, std::int64_t now) {
  std::ostringstream body;
  if (campaigns.empty()) body << "<p>Nessuna campagna aperta.</p>";
  else body << "<table><caption>Campagne di raccolta</caption><tr><th scope=\"col\">Campagna</th><th scope=\"col\">Modulo</th>"
               "<th scope=\"col\">Anno</th><th scope=\"col\">Scadenza</th><th scope=\"col\"></th></tr>";
  for (const Campaign& c : campaigns) {
    body << "<tr><td><a href=\"/campagne/" << c.id << "\">" << esc(c.name) << "</a></td><td>" << esc(c.form_id) << "</td><td>" << c.year
         << "</td><td>" << format_rome_time(c.deadline) << "</td><td>" << countdown(c.deadline, now) << "</td></tr>";
  }
  if (!campaigns.empty()) body << "</table>";
  return layout("Campagne", body.str(), &user, csrf);
}

std::string campaign_page(const User& user, const std::string& csrf, const Campaign& c, const std::string& form_title,
                          const std::vector<EnteStatus>& rows, std::int64_t now) {
  std::map<EnteState, int> counts;
  for (const EnteStatus& row : rows) ++counts[row.state];
  std::ostringstream body;
  body << "<p>Modulo: <strong>" << esc(form_title) << "</strong> (" << esc(c.form_id) << "), anno " << c.year << ". Apertura "
       << format_rome_time(c.opens_at) << ", scadenza <strong>" << format_rome_time(c.deadline) << "</strong> (ora italiana): "
       << countdown(c.deadline, now) << ". "
       << (c.late == LatePolicy::accept ? "Dopo la scadenza gli invii sono accettati e marcati in ritardo." : "Dopo la scadenza gli invii sono chiusi.")
       << "</p>";
  body << "<p>Enti: " << rows.size() << "; <span class=\"ok\">validi " << counts[EnteState::valido] << "</span>, <span class=\"late\">in ritardo "
       << counts[EnteState::in_ritardo] << "</span>, <span class=\"ko\">con errori " << counts[EnteState::con_errori]
       << "</span>, <span class=\"missing\">mancanti " << counts[EnteState::mancante] << "</span>";
  if (counts[EnteState::file_mancante] > 0) {
    body << ", <span class=\"ko\">file mancante sul server " << counts[EnteState::file_mancante] << " (inviare di nuovo)</span>";
  }
  body << ".</p>";
  const bool sends_for_others = user.role != Role::comune;
  body << "<form method=\"post\" action=\"/campagne/" << c.id << "/invii\" enctype=\"multipart/form-data\" class=\"box\">"
       << "<input type=\"hidden\" name=\"csrf\" value=\"" << esc(csrf) << "\">"
       << "<label for=\"file\">File compilato (.xlsx)</label><input id=\"file\" name=\"file\" type=\"file\" "
          "accept=\".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\" required>";
  if (user.role == Role::ambito) {
    // An Ambito sends for the enti it sees: its comuni (on their behalf), or itself.
    body << "<label for=\"ente\">Ente per cui si invia</label><select id=\"ente\" name=\"ente\" required>";
    // Nothing chosen beforehand: a file sent for the first comune of the list by oversight would
    // count for it.
    if (rows.size() > 1) body << "<option value=\"\" selected>— scegliere l'ente —</option>";
    for (const EnteStatus& row : rows) body << "<option value=\"" << esc(row.ente) << "\">" << esc(row.ente) << " " << esc(row.name) << "</option>";
    body << "</select>";
  } else if (sends_for_others) {
    body << "<label for=\"ente\">Ente per cui si invia (codice)</label><input id=\"ente\" name=\"ente\" value=\"\">";
  }
  body << "<p><button type=\"submit\">Invia e controlla</button></p></form>";
  body << "<p><a href=\"/campagne/" << c.id << "/stato.csv\">Scarica lo stato (CSV)</a>";
  if (user.role != Role::comune) body << " · <a href=\"/campagne/" << c.id << "/consolidato\">Scarica il consolidato (xlsx)</a>";
  body << "</p><table><caption>Stato degli invii</caption><tr><th scope=\"col\">Codice</th><th scope=\"col\">Ente</th>"
          "<th scope=\"col\">Ambito</th><th scope=\"col\">Stato</th><th scope=\"col\">Versioni</th><th scope=\"col\">Ultimo invio</th></tr>";
  for (const EnteStatus& row : rows) {
    body << "<tr><td>" << esc(row.ente) << "</td><td>" << esc(row.name) << "</td><td>" << esc(row.ambito) << "</td><td class=\""
         << state_class(row.state) << "\">" << to_string(row.state) << "</td><td>" << row.versions << "</td><td>";
    if (row.latest) {
      body << "<a href=\"/invii/" << row.latest->id << "\">" << format_rome_time(row.latest->uploaded_at) << "</a> da " << esc(row.latest->sender());
    }
    body << "</td></tr>";
  }
  body << "</table>";
  return layout(c.name, body.str(), &user, csrf);
}

std::string submission_page(const User& user, const std::string& csrf, const Campaign& c, const Submission& s, const forms::Report& report) {
  std::ostringstream body;
  body << "<p class=\"" << (s.valid ? "ok" : "ko") << "\" role=\"status\">Versione " << s.version << " di «" << esc(s.file_name) << "» per "
       << esc(s.ente) << ": " << (s.valid ? "valida" : "con errori bloccanti") << (s.late ? " (in ritardo)" : "") << ". Errori " << s.errors
       << ", avvisi " << s.warnings << ".</p><p>Inviata da " << esc(s.sender()) << " il " << format_rome_time(s.uploaded_at)
       << "; SHA-256 <code>" << esc(s.sha256) << "</code>.</p>"
       << "<p>Protocollo n. <strong>" << esc(s.protocol) << "</strong>: <a href=\"/invii/" << s.id << "/ricevuta\">ricevuta di invio (da stampare)</a></p>"
       << "<p><a href=\"/invii/" << s.id << "/annotato\">Scarica la copia annotata (errori evidenziati)</a> · <a href=\"/invii/" << s.id
       << "/file\">Scarica il file inviato</a> · <a href=\"/campagne/" << c.id << "\">Torna alla campagna</a></p>";
  if (!report.issues.empty()) {
    body << "<table><caption>Problemi trovati</caption><tr><th scope=\"col\">Gravità</th><th scope=\"col\">Foglio</th><th scope=\"col\">Cella</th>"
            "<th scope=\"col\">Valore</th><th scope=\"col\">Problema</th><th scope=\"col\">Codice</th></tr>";
    for (const forms::Issue& issue : report.issues) {
      body << "<tr><td class=\"" << (issue.severity == forms::Severity::warning ? "late" : "ko") << "\">"
           << esc(forms::to_string(issue.severity, Lang::it)) << "</td><td>" << esc(issue.sheet) << "</td><td>" << esc(issue.cell)
           << "</td><td>" << esc(issue.found) << "</td><td>" << esc(issue.message.it) << "</td><td>" << esc(issue.code) << "</td></tr>";
    }
    body << "</table>";
  } else {
    body << "<p>Nessun problema trovato.</p>";
  }
  return layout("Esito dell'invio", body.str(), &user, csrf);
}

std::string status_csv(const std::vector<EnteStatus>& rows) {
  std::ostringstream out;
  out << "codice;ente;ambito;stato;versioni;ultimo_invio;versione_valida;sha256_valido\r\n";
  for (const EnteStatus& row : rows) {
    out << csv_field(row.ente, ';') << ';' << csv_field(row.name, ';') << ';' << csv_field(row.ambito, ';') << ';' << to_string(row.state) << ';' << row.versions
        << ';' << (row.latest ? format_rome_time(row.latest->uploaded_at) : "") << ';'
        << (row.latest_valid ? std::to_string(row.latest_valid->version) : "") << ';' << (row.latest_valid ? row.latest_valid->sha256 : "")
        << "\r\n";
  }
  return out.str();
}

Poco::JSON::Object::Ptr campaign_json(const Campaign& c) {
  Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
  item->set("id", c.id);
  item->set("nome", c.name);
  item->set("modulo", c.form_id);
  item->set("anno", c.year);
  item->set("apertura", format_rome_time(c.opens_at));
  item->set("scadenza", format_rome_time(c.deadline));
  item->set("scadenza_unix", c.deadline);
  item->set("ritardo", c.late == LatePolicy::accept ? "accettato" : "rifiutato");
  item->set("versione_anagrafica", c.registry_version);
  return item;
}

Poco::JSON::Object::Ptr status_json(const Campaign& c, const std::vector<EnteStatus>& rows, std::int64_t now) {
  Poco::JSON::Object::Ptr body = campaign_json(c);
  body->set("conto_alla_rovescia", countdown(c.deadline, now));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  std::map<std::string, int> counts;
  for (const EnteStatus& row : rows) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("ente", row.ente);
    item->set("nome", row.name);
    item->set("ambito", row.ambito);
    item->set("stato", std::string(to_string(row.state)));
    item->set("versioni", row.versions);
    if (row.latest_valid) item->set("invio_valido", row.latest_valid->id);
    if (row.latest) item->set("inviato_da", row.latest->sender());
    ++counts[std::string(to_string(row.state))];
    items->add(item);
  }
  Poco::JSON::Object::Ptr totals = new Poco::JSON::Object;
  for (const char* state : {"mancante", "con errori", "valido", "in ritardo", "file mancante"}) totals->set(state, counts[state]);
  body->set("conteggi", totals);
  body->set("enti", items);
  return body;
}

Poco::JSON::Object::Ptr submission_json(const Submission& s, const forms::Report& report) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("id", s.id);
  body->set("campagna", s.campaign);
  body->set("ente", s.ente);
  body->set("versione", s.version);
  body->set("sha256", s.sha256);
  body->set("dimensione", s.size);
  body->set("nome_file", s.file_name);
  body->set("inviato_da", s.sender());
  body->set("inviato_il", format_rome_time(s.uploaded_at));
  body->set("valido", s.valid);
  body->set("in_ritardo", s.late);
  body->set("errori", s.errors);
  body->set("avvisi", s.warnings);
  body->set("protocollo", s.protocol);
  body->set("ricevuta", "/invii/" + std::to_string(s.id) + "/ricevuta");
  body->set("rapporto", report_object(report));
  return body;
}

// ---- receipts and the outbox ----

std::string receipt_stylesheet() {
  // On paper the SHA-256 (64 characters) stays on one line of the value column: 9 pt monospace
  // is about 350 pt wide, A4 less its margins 504 pt, the heading column 11em of 11 pt.
  return ".receipt table{width:100%;max-width:48em}.receipt th{width:11em;background:#f4f6fa}.receipt code{word-break:break-all}"
         ".receipt .number{font-size:1.3em}.receipt caption{text-align:left;font-weight:bold}"
         "@page{size:A4;margin:18mm 16mm}"
         "@media print{header,.no-print{display:none}main{padding:0;max-width:none}body{color:#000;font-size:11pt}"
         ".receipt table{max-width:none}.receipt th,.receipt td{border:1px solid #000;background:none}.receipt code{font-size:9pt}"
         "a{color:#000;text-decoration:none}}";
}

std::string receipt_page(const User& user, const std::string& csrf, const Receipt& r) {
  const Submission& s = r.submission;
  const Campaign& c = r.campaign;
  std::ostringstream body;
  body << "<section class=\"receipt\" aria-labelledby=\"numero\"><p id=\"numero\" class=\"number\">Protocollo n. <strong>" << esc(s.protocol)
       << "</strong></p><p>Si attesta che il file indicato sotto è stato ricevuto e registrato dal servizio di raccolta dei Piani di Zona.</p>"
       << "<table><caption>Dati dell'invio</caption>"
       << "<tr><th scope=\"row\">Numero di protocollo</th><td>" << esc(s.protocol) << "</td></tr>"
       << "<tr><th scope=\"row\">Campagna</th><td>" << esc(c.name) << " (" << esc(r.form_title) << ", anno " << c.year << ")</td></tr>"
       << "<tr><th scope=\"row\">Ente</th><td>" << esc(s.ente) << " " << esc(r.ente_name) << "</td></tr>"
       << "<tr><th scope=\"row\">Inviato da</th><td>" << esc(s.sender()) << "</td></tr>"
       << "<tr><th scope=\"row\">Ricevuto il</th><td>" << format_rome_time(s.uploaded_at) << " (ora italiana, Europe/Rome)"
       << (s.late ? ", dopo la scadenza" : "") << "</td></tr>"
       << "<tr><th scope=\"row\">Nome del file</th><td>" << esc(s.file_name) << "</td></tr>"
       << "<tr><th scope=\"row\">Dimensione</th><td>" << grouped_thousands(s.size) << " byte</td></tr>"
       << "<tr><th scope=\"row\">Impronta SHA-256</th><td><code>" << esc(s.sha256) << "</code></td></tr>"
       << "<tr><th scope=\"row\">Versione</th><td>" << s.version << "</td></tr>"
       << "<tr><th scope=\"row\">Esito del controllo</th><td>" << (s.valid ? "valido" : "con errori bloccanti") << "</td></tr>"
       << "<tr><th scope=\"row\">Errori bloccanti</th><td>" << s.errors << "</td></tr>"
       << "<tr><th scope=\"row\">Avvisi</th><td>" << s.warnings << "</td></tr></table>"
       << "<p>L'impronta SHA-256 identifica il contenuto del file: un file con la stessa impronta è lo stesso file, byte per byte.</p>"
       << "<p lang=\"en\"><small>Upload receipt: the file above was received and recorded; its SHA-256 identifies its content.</small></p>"
       << "<p class=\"no-print\"><a href=\"/invii/" << s.id << "\">Torna all'esito dell'invio</a> · per stamparla o salvarla in PDF usare "
          "la stampa del browser</p></section>";
  return layout("Ricevuta di invio", body.str(), &user, csrf);
}

Poco::JSON::Object::Ptr receipt_json(const Receipt& r) {
  const Submission& s = r.submission;
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("protocollo", s.protocol);
  body->set("id", s.id);
  body->set("campagna", s.campaign);
  body->set("campagna_nome", r.campaign.name);
  body->set("modulo", r.campaign.form_id);
  body->set("anno", r.campaign.year);
  body->set("ente", s.ente);
  body->set("ente_nome", r.ente_name);
  body->set("inviato_da", s.sender());
  body->set("inviato_il", format_rome_time(s.uploaded_at));
  body->set("inviato_il_unix", s.uploaded_at);
  body->set("nome_file", s.file_name);
  body->set("dimensione", s.size);
  body->set("sha256", s.sha256);
  body->set("versione", s.version);
  body->set("esito", s.valid ? "valido" : "con errori");
  body->set("in_ritardo", s.late);
  body->set("errori", s.errors);
  body->set("avvisi", s.warnings);
  return body;
}

std::string outbox_page(const User& user, const std::string& csrf, const OutboxCounts& n, const std::vector<OutboxMessage>& failing,
                        const std::string& smtp) {
  std::ostringstream body;
  body << "<p>" << (smtp.empty() ? "Invio della posta non configurato (smtp_host): i messaggi restano in coda finché non lo si configura."
                                 : "La posta parte attraverso " + esc(smtp) + ".")
       << "</p><p>Messaggi inviati " << n.sent << ", in attesa " << n.pending << ", <span class=\"ko\">in errore " << n.failing
       << "</span>, <span class=\"ko\">abbandonati " << n.abandoned << "</span>.</p>";
  if (failing.empty()) {
    body << "<p>Nessun messaggio in errore.</p>";
  } else {
    body << "<table><caption>Messaggi non consegnati</caption><tr><th scope=\"col\">Creato</th><th scope=\"col\">Destinatario</th>"
            "<th scope=\"col\">Oggetto</th><th scope=\"col\">Stato</th><th scope=\"col\">Tentativi</th><th scope=\"col\">Prossimo tentativo</th>"
            "<th scope=\"col\">Ultimo errore</th></tr>";
    for (const OutboxMessage& m : failing) {
      const MailState state = state_of(m);
      body << "<tr><td>" << format_rome_time(m.created) << "</td><td>" << esc(m.recipient) << "</td><td>" << esc(m.subject) << "</td><td class=\"ko\">"
           << to_string(state) << "</td><td>" << m.attempts << "</td><td>" << (state == MailState::abandoned ? "nessuno" : format_rome_time(m.next_attempt))
           << "</td><td>" << esc(m.last_error) << "</td></tr>";
    }
    body << "</table>";
  }
  return layout("Posta in uscita", body.str(), &user, csrf);
}

Poco::JSON::Object::Ptr outbox_json(const OutboxCounts& n, const std::vector<OutboxMessage>& failing, const std::string& smtp) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("smtp", smtp);
  Poco::JSON::Object::Ptr counts = new Poco::JSON::Object;
  counts->set("inviati", n.sent);
  counts->set("in_attesa", n.pending);
  counts->set("in_errore", n.failing);
  counts->set("abbandonati", n.abandoned);
  body->set("conteggi", counts);
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const OutboxMessage& m : failing) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("id", m.id);
    item->set("chiave", m.key);
    item->set("destinatario", m.recipient);
    item->set("oggetto", m.subject);
    item->set("creato", format_rome_time(m.created));
    item->set("stato", std::string(to_string(state_of(m))));
    item->set("tentativi", m.attempts);
    item->set("prossimo_tentativo", m.abandoned ? std::string() : format_rome_time(m.next_attempt));
    item->set("ultimo_errore", m.last_error);
    items->add(item);
  }
  body->set("non_consegnati", items);
  return body;
}

}  // namespace consolida::server::pages
