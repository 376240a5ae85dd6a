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
         "button,input[type=submit]{padding:.4em 1em}.box{border:1px solid #999;padding:1em;margin:1em 0}:focus{outline:3px solid #f90}";
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
  // A comune sees at once what its reviewer decided.
  if (user.role == Role::comune && rows.size() == 1 && rows.front().review) {
    const EnteStatus& own = rows.front();
    if (own.review_state == ReviewState::rinviato) {
      body << "<div class=\"box ko\" role=\"status\"><p><strong>Da correggere</strong>: " << esc(own.review->reviewer) << " ha rinviato la versione il "
           << format_rome_time(own.review->at) << " con questa nota:</p><blockquote>" << esc(own.review->note)
           << "</blockquote><p>Correggere il file e inviarlo di nuovo.</p></div>";
    } else if (own.review_state == ReviewState::approvato) {
      body << "<div class=\"box ok\" role=\"status\"><p><strong>Approvato</strong> da " << esc(own.review->reviewer) << " il "
           << format_rome_time(own.review->at) << ": " << esc(own.review->note)
           << "</p><p>Gli invii sono chiusi; per inviare un'altra versione chiedere di riaprirlo.</p></div>";
    }
  }
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
  if (user.role != Role::comune) {
    body << " · <a href=\"/campagne/" << c.id << "/consolidato\">Scarica il consolidato (xlsx)</a> · <a href=\"/campagne/" << c.id
         << "/consolidato?solo_approvati=1\">Consolidato dei soli enti approvati</a>";
  }
  body << "</p><table><caption>Stato degli invii</caption><tr><th scope=\"col\">Codice</th><th scope=\"col\">Ente</th>"
          "<th scope=\"col\">Ambito</th><th scope=\"col\">Stato</th><th scope=\"col\">Revisione</th><th scope=\"col\">Versioni</th>"
          "<th scope=\"col\">Ultimo invio</th></tr>";
  for (const EnteStatus& row : rows) {
    body << "<tr><td>" << esc(row.ente) << "</td><td>" << esc(row.name) << "</td><td>" << esc(row.ambito) << "</td><td class=\""
         << state_class(row.state) << "\">" << to_string(row.state) << "</td><td>" << to_string(row.review_state) << "</td><td>" << row.versions
         << "</td><td>";
    if (row.latest) {
      body << "<a href=\"/invii/" << row.latest->id << "\">" << format_rome_time(row.latest->uploaded_at) << "</a> da " << esc(row.latest->sender());
    }
    body << "</td></tr>";
  }
  body << "</table>";
  return layout(c.name, body.str(), &user, csrf);
}

namespace {

std::string review_section(const std::string& csrf, const Submission& s, const ReviewView& review) {
  std::ostringstream out;
  const bool approved = !review.history.empty() && review.history.back().outcome == ReviewOutcome::approvato;
  if (review.history.empty() && !review.may_review) return "";
  out << "<h2>Revisione</h2>";
  if (!review.history.empty()) {
    out << "<table><caption>Decisioni sull'ente</caption><tr><th scope=\"col\">Quando</th><th scope=\"col\">Chi</th>"
           "<th scope=\"col\">Esito</th><th scope=\"col\">Versione</th><th scope=\"col\">Nota</th></tr>";
    for (const Review& r : review.history) {
      out << "<tr><td>" << format_rome_time(r.at) << "</td><td>" << esc(r.reviewer) << "</td><td>" << to_string(r.outcome) << "</td><td><a href=\"/invii/"
          << r.submission << "\">invio " << r.submission << "</a></td><td>" << esc(r.note) << "</td></tr>";
    }
    out << "</table>";
  }
  if (!review.may_review) return out.str();
  if (!review.counts) {
    out << "<p>Si decide sulla versione che conta per l'ente (la più recente valida, altrimenti la più recente): non è questa.</p>";
    return out.str();
  }
  out << "<form method=\"post\" action=\"/invii/" << s.id << "/revisione\" class=\"box\"><input type=\"hidden\" name=\"csrf\" value=\""
      << esc(csrf) << "\"><label for=\"nota\">Nota per l'ente (obbligatoria)</label><textarea id=\"nota\" name=\"nota\" rows=\"3\" required "
      << "maxlength=\"4000\"></textarea><p>";
  if (approved) {
    out << "<button type=\"submit\" name=\"esito\" value=\"riaperto\">Riapri gli invii</button> ";
  } else if (s.valid) {
    out << "<button type=\"submit\" name=\"esito\" value=\"approvato\">Approva</button> ";
  }
  out << "<button type=\"submit\" name=\"esito\" value=\"rinviato\">Rinvia per correzioni</button></p>";
  if (!s.valid) out << "<p>Questa versione ha errori: si può solo rinviarla.</p>";
  out << "</form>";
  return out.str();
}

}  // namespace

std::string submission_page(const User& user, const std::string& csrf, const Campaign& c, const Submission& s, const forms::Report& report,
                            const ReviewView& review) {
  std::ostringstream body;
  body << "<p class=\"" << (s.valid ? "ok" : "ko") << "\" role=\"status\">Versione " << s.version << " di «" << esc(s.file_name) << "» per "
       << esc(s.ente) << ": " << (s.valid ? "valida" : "con errori bloccanti") << (s.late ? " (in ritardo)" : "") << ". Errori " << s.errors
       << ", avvisi " << s.warnings << ".</p><p>Inviata da " << esc(s.sender()) << " il " << format_rome_time(s.uploaded_at)
       << "; SHA-256 <code>" << esc(s.sha256) << "</code>.</p>"
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
  body << review_section(csrf, s, review);
  return layout("Esito dell'invio", body.str(), &user, csrf);
}

write::TextTable status_table(const std::vector<EnteStatus>& rows) {
  write::TextTable table;
  table.headers = {"codice", "ente", "ambito", "stato", "versioni", "ultimo_invio", "versione_valida", "sha256_valido", "revisione", "nota_revisione"};
  for (const EnteStatus& row : rows) {
    table.rows.push_back({row.ente, row.name, row.ambito, std::string(to_string(row.state)), std::to_string(row.versions),
                          row.latest ? format_rome_time(row.latest->uploaded_at) : "",
                          row.latest_valid ? std::to_string(row.latest_valid->version) : "", row.latest_valid ? row.latest_valid->sha256 : "",
                          std::string(to_string(row.review_state)), row.review ? row.review->note : ""});
  }
  return table;
}

std::string status_csv(const std::vector<EnteStatus>& rows) {
  const write::TextTable table = status_table(rows);
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? ";" : "") << csv_field(cells[c], ';');
    out << "\r\n";
  };
  line(table.headers);
  for (const auto& row : table.rows) line(row);
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

namespace {

Poco::JSON::Object::Ptr progress_json(const Progress& p) {
  Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
  item->set("codice", p.code);
  item->set("nome", p.name);
  item->set("attesi", p.expected);
  for (EnteState state : {EnteState::mancante, EnteState::con_errori, EnteState::valido, EnteState::in_ritardo, EnteState::file_mancante}) {
    item->set(std::string(to_string(state)), p.in(state));
  }
  item->set("approvati", p.approved);
  return item;
}

Poco::JSON::Array::Ptr progress_list(const std::vector<Progress>& groups) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const Progress& p : groups) list->add(progress_json(p));
  return list;
}

}  // namespace

Poco::JSON::Object::Ptr status_json(const Campaign& c, const StatusView& view, std::int64_t now) {
  Poco::JSON::Object::Ptr body = campaign_json(c);
  body->set("conto_alla_rovescia", countdown(c.deadline, now));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const EnteStatus& row : view.rows) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("ente", row.ente);
    item->set("nome", row.name);
    item->set("ambito", row.ambito);
    item->set("stato", std::string(to_string(row.state)));
    item->set("versioni", row.versions);
    if (row.latest_valid) item->set("invio_valido", row.latest_valid->id);
    if (row.latest) item->set("inviato_da", row.latest->sender());
    item->set("revisione", std::string(to_string(row.review_state)));
    if (row.review) item->set("ultima_decisione", review_json(*row.review));
    items->add(item);
  }
  Poco::JSON::Object::Ptr totals = new Poco::JSON::Object;
  for (EnteState state : {EnteState::mancante, EnteState::con_errori, EnteState::valido, EnteState::in_ritardo, EnteState::file_mancante}) {
    totals->set(std::string(to_string(state)), view.total.in(state));
  }
  body->set("conteggi", totals);
  Poco::JSON::Object::Ptr progress = new Poco::JSON::Object;
  progress->set("totale", progress_json(view.total));
  progress->set("ats", progress_list(view.by_ats));
  progress->set("ambiti", progress_list(view.by_ambito));
  body->set("avanzamento", progress);
  body->set("corrispondenti", view.matching);
  body->set("pagina", view.page);
  body->set("pagine", view.pages);
  body->set("enti", items);
  return body;
}

Poco::JSON::Object::Ptr review_json(const Review& r) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("id", r.id);
  body->set("campagna", r.campaign);
  body->set("ente", r.ente);
  body->set("invio", r.submission);
  body->set("esito", std::string(to_string(r.outcome)));
  body->set("nota", r.note);
  body->set("revisore", r.reviewer);
  body->set("quando", format_rome_time(r.at));
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
  body->set("rapporto", report_object(report));
  return body;
}

}  // namespace consolida::server::pages
