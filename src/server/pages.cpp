#include "server/pages.hpp"

#include "common/csv.hpp"
#include "common/file_name.hpp"
#include "common/rome_time.hpp"
#include "common/text.hpp"
#include "consolida/report_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <limits>
#include <map>
#include <sstream>

namespace consolida::server::pages {
namespace {

std::string esc(std::string_view text) { return html_escape(text); }

// ---- icons: SVG symbols drawn once at the end of each page and used by reference (no request,
// nothing for the CSP to refuse, a few bytes per use on a page of 1,506 enti); always beside words ----

enum class Icon { valid, error, warning, late, missing, info, download, upload, service };
constexpr Icon kIcons[] = {Icon::valid, Icon::error, Icon::warning, Icon::late, Icon::missing, Icon::info, Icon::download, Icon::upload, Icon::service};

struct IconShape {
  std::string_view id;
  std::string_view path;  // in a 24 x 24 box
};

IconShape icon_shape(Icon icon) {
  switch (icon) {
    case Icon::valid: return {"i-valido", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-2 15-5-5 1.4-1.4 3.6 3.6 7.6-7.6L19 8z"};
    case Icon::error:
      return {"i-errore",
              "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.3 12.9-1.4 1.4-2.9-2.9-2.9 2.9-1.4-1.4 2.9-2.9-2.9-2.9 1.4-1.4 2.9 2.9 "
              "2.9-2.9 1.4 1.4-2.9 2.9z"};
    case Icon::warning: return {"i-attenzione", "M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z"};
    case Icon::late:
      return {"i-orologio", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z"};
    case Icon::missing: return {"i-mancante", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm5 11H7v-2h10z"};
    case Icon::info: return {"i-info", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15h-2v-6h2zm0-8h-2V7h2z"};
    case Icon::download: return {"i-scarica", "M5 20h14v-2H5zm7-3 6-6-1.4-1.4-3.6 3.6V3h-2v10.2L7.4 9.6 6 11z"};
    case Icon::upload: return {"i-invia", "M5 20h14v-2H5zM12 3 6 9l1.4 1.4L11 6.8V17h2V6.8l3.6 3.6L18 9z"};
    case Icon::service: return {"i-servizio", "M3 3h18v18H3zm2 2v4h6V5zm8 0v4h6V5zM5 11v8h6v-8zm8 0v8h6v-8z"};
  }
  return {"", ""};
}

std::string svg(Icon icon) {
  return "<svg aria-hidden=\"true\" focusable=\"false\"><use href=\"#" + std::string(icon_shape(icon).id) + "\"/></svg>";
}

std::string icon_symbols() {
  std::string out = "<svg class=\"visually-hidden\" aria-hidden=\"true\" focusable=\"false\">";
  for (const Icon icon : kIcons) {
    const IconShape shape = icon_shape(icon);
    out += "<symbol id=\"" + std::string(shape.id) + "\" viewBox=\"0 0 24 24\"><path d=\"" + std::string(shape.path) + "\"/></symbol>";
  }
  return out + "</svg>";
}

// How each state looks: its class (colour), its icon and its word; never the colour alone.
struct Look {
  const char* css;
  Icon icon;
};

Look look_of(EnteState state) {
  switch (state) {
    case EnteState::valido: return {"ok", Icon::valid};
    case EnteState::in_ritardo: return {"ritardo", Icon::late};
    case EnteState::con_errori: return {"ko", Icon::error};
    case EnteState::mancante: return {"manca", Icon::missing};
    case EnteState::file_mancante: return {"ko", Icon::warning};
  }
  return {"manca", Icon::missing};
}

std::string badge(const Look& look, std::string_view words) {
  return "<span class=\"stato " + std::string(look.css) + "\">" + svg(look.icon) + esc(words) + "</span>";
}
std::string badge(EnteState state) { return badge(look_of(state), to_string(state)); }

// The reviewer's word on an ente, by text and icon as well as colour; nothing before a version.
std::string review_badge(ReviewState state) {
  switch (state) {
    case ReviewState::nessuna: return "";
    case ReviewState::da_rivedere: return badge({"manca", Icon::info}, to_string(state));
    case ReviewState::approvato: return badge({"ok", Icon::valid}, to_string(state));
    case ReviewState::rinviato: return badge({"ko", Icon::error}, to_string(state));
  }
  return "";
}
std::string review_badge(ReviewOutcome outcome) {
  switch (outcome) {
    case ReviewOutcome::approvato: return badge({"ok", Icon::valid}, to_string(outcome));
    case ReviewOutcome::rinviato: return badge({"ko", Icon::error}, to_string(outcome));
    case ReviewOutcome::riaperto: return badge({"manca", Icon::info}, to_string(outcome));
  }
  return "";
}

std::string alert(const char* css, Icon icon, const std::string& html, const char* role = nullptr) {
  std::string out = "<div class=\"avviso " + std::string(css) + "\"";
  if (role) out += std::string(" role=\"") + role + "\"";
  return out + ">" + svg(icon) + "<div>" + html + "</div></div>";
}

std::string role_label(Role role) {
  switch (role) {
    case Role::comune: return "Comune";
    case Role::ambito: return "Ambito";
    case Role::regione: return "Regione";
  }
  return "";
}

// ---- the frame of every page ----

struct Crumb {
  std::string label;
  std::string href;  // empty: the page itself
};

struct Page {
  std::string title;
  std::vector<Crumb> crumbs;  // none: no breadcrumbs (the login page)
  std::string body;
  const User* user = nullptr;
  std::string csrf;
};

std::string layout(const SiteInfo& site, const Page& page) {
  std::ostringstream out;
  out << "<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>" << esc(page.title) << " - Piani di Zona - " << esc(site.administration) << "</title>"
      << "<link rel=\"stylesheet\" href=\"/stile.css\"></head><body>"
      << "<a class=\"salta\" href=\"#contenuto\">Vai al contenuto principale</a>"
      << "<header><div class=\"intestazione-slim\"><div class=\"contenitore\"><span class=\"amministrazione\">" << esc(site.administration)
      << "</span>";
  if (page.user) {
    const User& user = *page.user;
    out << "<div class=\"utente\"><span>" << esc(user.username) << " · " << role_label(user.role)
        << (user.ente.empty() ? "" : " " + esc(user.ente)) << "</span>"
        << "<form method=\"post\" action=\"/uscita\"><input type=\"hidden\" name=\"csrf\" value=\"" << esc(page.csrf)
        << "\"><button type=\"submit\" class=\"esci\">Esci</button></form></div>";
  }
  out << "</div></div><div class=\"intestazione-centro\"><div class=\"contenitore\"><a class=\"servizio\" href=\"/campagne\">"
      << svg(Icon::service) << "<span><span class=\"servizio-nome\">Piani di Zona</span>"
      << "<span class=\"servizio-motto\">Raccolta, controllo e consolidamento dei dati</span></span></a></div></div></header>";
  if (!page.crumbs.empty()) {
    out << "<nav class=\"briciole contenitore\" aria-label=\"Percorso di navigazione\"><ol>";
    for (const Crumb& crumb : page.crumbs) {
      if (crumb.href.empty()) out << "<li aria-current=\"page\">" << esc(crumb.label) << "</li>";
      else out << "<li><a href=\"" << esc(crumb.href) << "\">" << esc(crumb.label) << "</a></li>";
    }
    out << "</ol></nav>";
  }
  out << "<main id=\"contenuto\" tabindex=\"-1\"><div class=\"contenitore\"><h1>" << esc(page.title) << "</h1>" << page.body
      << "</div></main>";
  out << "<footer class=\"piede\"><div class=\"contenitore\"><div><p class=\"piede-amministrazione\">" << esc(site.administration)
      << "</p><p>Piani di Zona: raccolta dei dati degli Ambiti territoriali e dei Comuni.</p></div>"
      << "<div><h2>Assistenza</h2><p>" << esc(site.help_text) << "</p>";
  if (!site.help_email.empty() || !site.help_phone.empty()) {
    out << "<p>";
    if (!site.help_email.empty()) out << "E-mail: <a href=\"mailto:" << esc(site.help_email) << "\">" << esc(site.help_email) << "</a>";
    if (!site.help_email.empty() && !site.help_phone.empty()) out << "<br>";
    if (!site.help_phone.empty()) out << "Telefono: " << esc(site.help_phone);
    out << "</p>";
  }
  out << "</div></div><div class=\"piede-basso\"><div class=\"contenitore\"><ul>"
      << "<li><a href=\"/privacy\">Informativa sul trattamento dei dati personali</a></li>"
      << "<li><a href=\"/accessibilita\">Dichiarazione di accessibilità</a></li></ul></div></div></footer>"
      << icon_symbols() << "</body></html>";
  return out.str();
}

Crumb campaigns_crumb() { return {"Campagne", "/campagne"}; }
Crumb campaign_crumb(const Campaign& c) { return {c.name, "/campagne/" + std::to_string(c.id)}; }
std::string ente_href(const Campaign& c, const std::string& ente) { return "/campagne/" + std::to_string(c.id) + "/enti/" + ente; }

// ---- tables that become a card per row on a phone: every cell carries its column's label ----

struct Column {
  std::string_view heading;
};

void open_table(std::ostream& out, std::string_view caption, const std::vector<Column>& columns) {
  out << "<div class=\"tabella\"><table class=\"a-schede\"><caption>" << esc(caption) << "</caption><thead><tr>";
  for (const Column& column : columns) out << "<th scope=\"col\">" << esc(column.heading) << "</th>";
  out << "</tr></thead><tbody>";
}

// `cells`: HTML, one per column.
void table_row(std::ostream& out, const std::vector<Column>& columns, const std::vector<std::string>& cells) {
  out << "<tr>";
  for (std::size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
    out << "<td data-etichetta=\"" << esc(columns[i].heading) << "\">" << cells[i] << "</td>";
  }
  out << "</tr>";
}

void close_table(std::ostream& out) { out << "</tbody></table></div>"; }

// "2 errori, 1 avviso"
std::string errors_and_warnings(int errors, int warnings) {
  return counted(static_cast<std::size_t>(errors), "errore", "errori") + ", " + counted(static_cast<std::size_t>(warnings), "avviso", "avvisi");
}

// Who sent a version: the account, and for whom when it sent for another ente.
std::string sender_html(const Submission& s, const std::string& ente_name) {
  std::string out = esc(s.uploaded_by);
  if (!s.on_behalf.empty()) out += " (" + esc(s.on_behalf) + ") per conto di " + esc(ente_name);
  return out;
}

// Plain text as paragraphs: a blank line parts them, a line starting "## " is a heading.
std::string paragraphs(const std::string& text) {
  std::ostringstream out;
  std::istringstream in(text);
  std::string line, paragraph;
  auto flush = [&] {
    if (!paragraph.empty()) out << "<p>" << esc(paragraph) << "</p>";
    paragraph.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      flush();
    } else if (line.rfind("## ", 0) == 0) {
      flush();
      out << "<h2>" << esc(line.substr(3)) << "</h2>";
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + line;
    }
  }
  flush();
  return out.str();
}

std::string contact_sentence(const SiteInfo& site) {
  std::string out;
  if (!site.help_email.empty()) out += " scrivendo a " + site.help_email;
  if (!site.help_phone.empty()) out += (out.empty() ? " telefonando al " : " o telefonando al ") + site.help_phone;
  return out;
}

std::string default_privacy(const SiteInfo& site) {
  return "## Titolare del trattamento\n" + site.administration +
         " è titolare dei dati personali trattati da questo servizio.\n\n"
         "## Quali dati e perché\n"
         "Il servizio tratta i dati degli utenti abilitati (nome utente, ente di appartenenza, data e ora degli accessi e degli invii) e i "
         "file inviati dagli enti, per raccogliere, controllare e consolidare i dati dei Piani di Zona. I file contengono dati aggregati di "
         "spesa e di attività degli enti.\n\n"
         "## Conservazione e sicurezza\n"
         "Ogni invio è conservato con la sua impronta SHA-256 e registrato nel registro delle operazioni. Il servizio usa un solo cookie "
         "tecnico di sessione, necessario per l'accesso; non usa cookie di profilazione né servizi di terze parti.\n\n"
         "## Diritti\n"
         "Per esercitare i diritti previsti dagli articoli 15-22 del Regolamento (UE) 2016/679 rivolgersi a " + site.administration +
         contact_sentence(site) + ".";
}

std::string default_accessibility(const SiteInfo& site) {
  return site.administration +
         " si impegna a rendere accessibile questo servizio, in conformità alla Legge 9 gennaio 2004, n. 4 e alle Linee guida AgID "
         "sull'accessibilità degli strumenti informatici.\n\n"
         "## Stato di conformità\n"
         "Il servizio è progettato per essere conforme ai requisiti della norma UNI CEI EN 301549 e alle WCAG 2.1 livello AA: tutte le pagine "
         "funzionano senza JavaScript, con la sola tastiera e su schermi piccoli; ogni pagina è verificata con lo strumento automatico "
         "axe-core. Gli stati degli invii sono indicati con parole e simboli, non solo con colori.\n\n"
         "## Contenuti non accessibili\n"
         "I modelli e le copie annotate sono cartelle di lavoro Excel: le celle con problemi sono descritte anche in un foglio «Problemi» "
         "e nei commenti delle celle.\n\n"
         "## Segnalazioni\n"
         "Per segnalare un problema di accessibilità rivolgersi a " + site.administration + contact_sentence(site) +
         ". In caso di risposta insoddisfacente o di mancata risposta è possibile rivolgersi al Difensore civico per il digitale presso AgID.";
}

// The report's JSON as an object of the answer, its keys in the schema's order.
Poco::JSON::Object::Ptr report_object(const forms::Report& report) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
  return parser.parse(forms::to_json(report)).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

std::string login_page(const SiteInfo& site, const std::string& error) {
  std::ostringstream body;
  body << "<p class=\"lead\">Accedere con le credenziali ricevute per inviare e controllare i file dei Piani di Zona.</p>";
  if (!error.empty()) body << alert("ko", Icon::error, "<p>" + esc(error) + "</p>", "alert");
  body << "<form method=\"post\" action=\"/accesso\" class=\"scheda\">"
       << "<label for=\"utente\">Nome utente</label><input id=\"utente\" name=\"utente\" autocomplete=\"username\" required>"
       << "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required>"
       << "<p><button type=\"submit\">Accedi</button></p></form>";
  return layout(site, {"Accesso", {}, body.str(), nullptr, ""});
}

std::string message_page(const SiteInfo& site, const std::string& it, const std::string& en, int status) {
  std::ostringstream body;
  body << alert("ko", Icon::error, "<p>" + esc(it) + "</p><p lang=\"en\"><small>" + esc(en) + " (HTTP " + std::to_string(status) + ")</small></p>",
                "alert")
       << "<p><a href=\"/campagne\">Torna alle campagne</a></p>";
  return layout(site, {"Richiesta non accolta", {campaigns_crumb(), {"Richiesta non accolta", ""}}, body.str(), nullptr, ""});
}

std::string legal_page(const SiteInfo& site, LegalPage which) {
  const bool privacy = which == LegalPage::privacy;
  const std::string title = privacy ? "Informativa sul trattamento dei dati personali" : "Dichiarazione di accessibilità";
  const std::string& configured = privacy ? site.privacy_text : site.accessibility_text;
  const std::string text = !configured.empty() ? configured : privacy ? default_privacy(site) : default_accessibility(site);
  return layout(site, {title, {{"Home", "/"}, {title, ""}}, "<div class=\"testo-legale\">" + paragraphs(text) + "</div>", nullptr, ""});
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

std::string campaigns_page(const SiteInfo& site, const User& user, const std::string& csrf, const std::vector<Campaign>& campaigns,
                           std::int64_t now) {
  std::ostringstream body;
  if (campaigns.empty()) {
    body << alert("info", Icon::info, "<p>Nessuna campagna aperta.</p>");
  } else {
    body << "<p class=\"lead\">Le raccolte di dati in corso e concluse. Aprire una campagna per scaricare il modello, inviare il file "
            "compilato e vedere lo stato degli invii.</p>";
    const std::vector<Column> columns{{"Campagna"}, {"Modulo"}, {"Anno"}, {"Scadenza (ora italiana)"}, {"Tempo"}};
    open_table(body, "Campagne di raccolta", columns);
    for (const Campaign& c : campaigns) {
      const Look look = now < c.opens_at ? Look{"manca", Icon::missing} : now <= c.deadline ? Look{"ok", Icon::late} : Look{"ritardo", Icon::late};
      const std::string when = now < c.opens_at ? "apre il " + format_rome_time(c.opens_at) : countdown(c.deadline, now);
      table_row(body, columns,
                {"<a href=\"/campagne/" + std::to_string(c.id) + "\">" + esc(c.name) + "</a>", esc(c.form_id), std::to_string(c.year),
                 format_rome_time(c.deadline), badge(look, when)});
    }
    close_table(body);
  }
  return layout(site, {"Campagne", {{"Campagne", ""}}, body.str(), &user, csrf});
}

namespace {

// The upload form: the file, and for an Ambito or the Region the ente it is sent for.
void upload_form(std::ostream& body, const User& user, const std::string& csrf, const Campaign& c, const std::vector<EnteStatus>& rows) {
  body << "<h2>Invia il file compilato</h2>";
  body << "<form method=\"post\" action=\"/campagne/" << c.id << "/invii\" enctype=\"multipart/form-data\" class=\"scheda\">"
       << "<input type=\"hidden\" name=\"csrf\" value=\"" << esc(csrf) << "\">"
       << "<label for=\"file\">File compilato (.xlsx, .ods o .xls)</label><input id=\"file\" name=\"file\" type=\"file\" "
          "accept=\".xlsx,.ods,.xls,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.spreadsheet,application/vnd.ms-excel\" required aria-describedby=\"file-aiuto\">"
       << "<p class=\"aiuto\" id=\"file-aiuto\">Il file è controllato subito: l'esito elenca ogni problema con foglio e cella.</p>";
  if (user.role == Role::ambito) {
    // An Ambito sends for the enti it sees: its comuni (on their behalf), or itself.
    body << "<label for=\"ente\">Ente per cui si invia</label><select id=\"ente\" name=\"ente\" required>";
    // Nothing chosen beforehand: a file sent for the first comune of the list by oversight would
    // count for it.
    if (rows.size() > 1) body << "<option value=\"\" selected>— scegliere l'ente —</option>";
    for (const EnteStatus& row : rows) body << "<option value=\"" << esc(row.ente) << "\">" << esc(row.ente) << " " << esc(row.name) << "</option>";
    body << "</select>";
  } else if (user.role == Role::regione) {
    body << "<label for=\"ente\">Ente per cui si invia (codice)</label><input id=\"ente\" name=\"ente\" value=\"\">";
  }
  body << "<p><button type=\"submit\">" << svg(Icon::upload) << "Invia e controlla</button></p></form>";
}

}  // namespace

namespace {

// One bar per group: valid, late, with errors and missing side by side in proportion, drawn by
// the server (no script); the same numbers are written beside it, so the colours tell nothing
// the text does not.
void progress_bar(std::ostream& out, const Progress& p, const std::string& href) {
  const double whole = std::max(1, p.expected);
  struct Part {
    int count;
    const char* colour;
  };
  const Part parts[] = {{p.in(EnteState::valido), "#008055"},
                        {p.in(EnteState::in_ritardo), "#a66300"},
                        {p.in(EnteState::con_errori) + p.in(EnteState::file_mancante), "#cc334d"},
                        {p.in(EnteState::mancante), "#c5c7c9"}};
  const int valid = p.received_valid();
  const int percent = p.expected ? valid * 100 / p.expected : 0;
  out << "<li><p class=\"barra-titolo\">";
  if (href.empty()) out << "<strong>" << esc(p.name) << "</strong>";
  else out << "<a href=\"" << esc(href) << "\">" << esc(p.name) << "</a>";
  out << ": " << counted(static_cast<std::size_t>(valid), "valido", "validi") << " su " << p.expected << " (" << percent << "%), "
      << p.in(EnteState::con_errori) << " con errori, ";
  if (p.in(EnteState::file_mancante) > 0) out << counted(static_cast<std::size_t>(p.in(EnteState::file_mancante)), "file mancante", "file mancanti") << ", ";
  out << counted(static_cast<std::size_t>(p.in(EnteState::mancante)), "mancante", "mancanti") << ", "
      << counted(static_cast<std::size_t>(p.approved), "approvato", "approvati") << "</p>"
      << "<svg class=\"barra\" viewBox=\"0 0 1000 24\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">";
  double x = 0;
  for (const Part& part : parts) {
    if (part.count == 0) continue;
    const double width = part.count * 1000.0 / whole;
    out << "<rect x=\"" << x << "\" y=\"0\" width=\"" << width << "\" height=\"24\" fill=\"" << part.colour << "\"/>";
    x += width;
  }
  out << "</svg></li>";
}

// How far the campaign has come: by ATS for the whole region, by Ambito within an ATS.
void progress_section(std::ostream& out, const Campaign& c, const ListView& list) {
  const bool by_ats = list.filter.ats.empty() && list.filter.ambito.empty() && list.status.by_ats.size() > 1;
  const std::vector<Progress>& groups = by_ats ? list.status.by_ats : list.status.by_ambito;
  if (groups.size() < 2) return;
  out << "<h3>Avanzamento per " << (by_ats ? "ATS" : "Ambito") << "</h3><ul class=\"barre\">";
  for (const Progress& group : groups) {
    StatusFilter narrower;
    (by_ats ? narrower.ats : narrower.ambito) = group.code;
    if (!by_ats) narrower.ats = list.filter.ats;
    progress_bar(out, group, "/campagne/" + std::to_string(c.id) + list_query(narrower, 0));
  }
  out << "</ul>";
}

void select_field(std::ostream& out, const char* name, const char* label, const std::string& chosen,
                  const std::vector<std::pair<std::string, std::string>>& choices) {
  out << "<div class=\"campo\"><label for=\"filtro-" << name << "\">" << label << "</label><select id=\"filtro-" << name << "\" name=\"" << name
      << "\"><option value=\"\">tutti</option>";
  for (const auto& [code, text] : choices) {
    out << "<option value=\"" << esc(code) << "\"" << (code == chosen ? " selected" : "") << ">" << esc(text) << "</option>";
  }
  out << "</select></div>";
}

// A select over the values of a state, each option's text what the address carries.
template <typename State>
void state_select(std::ostream& out, const char* name, const char* label, const char* every, std::optional<State> chosen,
                  std::initializer_list<State> states) {
  out << "<div class=\"campo\"><label for=\"filtro-" << name << "\">" << label << "</label><select id=\"filtro-" << name << "\" name=\"" << name
      << "\"><option value=\"\">" << every << "</option>";
  for (const State state : states) out << "<option" << (chosen == state ? " selected" : "") << ">" << to_string(state) << "</option>";
  out << "</select></div>";
}

// The filter, as a form that works without script (GET: the address says the filter).
void filter_form(std::ostream& out, const Campaign& c, const ListView& list) {
  const StatusFilter& f = list.filter;
  out << "<form method=\"get\" action=\"/campagne/" << c.id << "\" class=\"scheda filtri\" role=\"search\" aria-label=\"Filtra gli enti\">";
  state_select(out, "stato", "Stato", "tutti", f.state,
               {EnteState::mancante, EnteState::con_errori, EnteState::file_mancante, EnteState::in_ritardo, EnteState::valido});
  state_select(out, "revisione", "Revisione", "tutte", f.review, {ReviewState::da_rivedere, ReviewState::rinviato, ReviewState::approvato});
  if (!list.ats_choices.empty()) select_field(out, "ats", "ATS", f.ats, list.ats_choices);
  if (!list.ambito_choices.empty()) select_field(out, "ambito", "Ambito", f.ambito, list.ambito_choices);
  out << "<div class=\"campo\"><label for=\"filtro-cerca\">Nome o codice ISTAT</label><input id=\"filtro-cerca\" name=\"cerca\" value=\""
      << esc(f.search) << "\"></div><p><button type=\"submit\">Filtra</button> <a href=\"/campagne/" << c.id
      << "\">Togli i filtri</a></p></form>";
  out << "<p role=\"status\">" << list.status.matching << (list.status.matching == 1 ? " ente" : " enti")
      << " nell'elenco, prima i mancanti; pagina " << list.status.page << " di " << list.status.pages << ".</p>";
}

// The consolidation of what the dashboard shows: the Ambito or the ATS chosen, else the region.
struct ConsolidationScope {
  std::string query;  // "livello=ambito&ambito=MELZO", empty for the whole region
  std::string name;   // "Ambito di Melzo", empty for the whole region
};
ConsolidationScope consolidation_scope(const ListView& list) {
  const auto named = [](const std::vector<std::pair<std::string, std::string>>& choices, const std::string& code) {
    for (const auto& [known, name] : choices) {
      if (known == code) return name;
    }
    return code;
  };
  const auto scoped = [](const char* level, const std::string& code) {
    std::string encoded;
    Poco::URI::encode(code, "&=+?#/ ", encoded);
    return "livello=" + std::string(level) + "&" + level + "=" + encoded;
  };
  if (!list.filter.ambito.empty()) return {scoped("ambito", list.filter.ambito), named(list.ambito_choices, list.filter.ambito)};
  if (!list.filter.ats.empty()) return {scoped("ats", list.filter.ats), "ATS " + named(list.ats_choices, list.filter.ats)};
  return {};
}

void pager(std::ostream& out, const Campaign& c, const ListView& list) {
  const std::string base = "/campagne/" + std::to_string(c.id);
  const std::size_t page = list.status.page, pages = list.status.pages;
  out << "<nav class=\"pagine\" aria-label=\"Pagine dell'elenco\"><ul>";
  if (page > 1) out << "<li><a href=\"" << esc(base + list_query(list.filter, page - 1)) << "\" rel=\"prev\">Pagina precedente</a></li>";
  out << "<li aria-current=\"page\">Pagina " << page << " di " << pages << "</li>";
  if (page < pages) out << "<li><a href=\"" << esc(base + list_query(list.filter, page + 1)) << "\" rel=\"next\">Pagina successiva</a></li>";
  out << "</ul></nav>";
}

}  // namespace

std::string list_query(const StatusFilter& filter, std::size_t page) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    std::string encoded;
    Poco::URI::encode(value, "&=+?#/ ", encoded);
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + encoded;
  };
  if (filter.state) add("stato", std::string(to_string(*filter.state)));
  if (filter.review) add("revisione", std::string(to_string(*filter.review)));
  add("ats", filter.ats);
  add("ambito", filter.ambito);
  add("cerca", filter.search);
  if (filter.per_page != StatusFilter{}.per_page && filter.per_page != std::numeric_limits<std::size_t>::max()) {
    add("per_pagina", std::to_string(filter.per_page));
  }
  if (page > 1) add("pagina", std::to_string(page));
  return query;
}

std::string campaign_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& c, const std::string& form_title,
                          const std::string& template_name, const std::vector<EnteStatus>& rows, const ListView& list, std::int64_t now) {
  const Progress& total = list.status.total;
  std::ostringstream body;
  body << "<p class=\"lead\">Modulo «" << esc(form_title) << "» (" << esc(c.form_id) << "), dati dell'anno " << c.year << ".</p>";
  body << "<dl class=\"dati scheda\"><dt>Apertura</dt><dd>" << format_rome_time(c.opens_at) << " (ora italiana)</dd>"
       << "<dt>Scadenza</dt><dd><strong>" << format_rome_time(c.deadline) << "</strong> (ora italiana): " << countdown(c.deadline, now) << "</dd>"
       << "<dt>Dopo la scadenza</dt><dd>"
       << (c.late == LatePolicy::accept ? "gli invii sono accettati e marcati in ritardo" : "gli invii sono chiusi") << "</dd></dl>";

  body << "<h2>Modello da compilare</h2>";
  if (!template_name.empty()) {
    body << "<p>Il modello vuoto di questa campagna, da compilare con Excel o LibreOffice senza cambiarne la struttura: le celle "
            "bianche sono da compilare, i totali si calcolano da soli.</p>"
         << "<p><a class=\"pulsante secondario\" href=\"/campagne/" << c.id << "/modello\" download>" << svg(Icon::download)
         << "Scarica il modello vuoto (xlsx)</a></p><p class=\"aiuto\">File: " << esc(template_name) << "</p>";
  } else {
    body << alert("attenzione", Icon::warning, "<p>Il modello di questo modulo non è disponibile su questo server.</p>");
  }
  // A comune sees at once what its reviewer decided.
  if (user.role == Role::comune && rows.size() == 1 && rows.front().review) {
    const EnteStatus& own = rows.front();
    if (own.review_state == ReviewState::rinviato) {
      body << alert("ko", Icon::error,
                    "<p><strong>Da correggere</strong>: " + esc(own.review->reviewer) + " ha rinviato la versione il " +
                        format_rome_time(own.review->at) + " con questa nota:</p><blockquote>" + esc(own.review->note) +
                        "</blockquote><p>Correggere il file e inviarlo di nuovo" +
                        (now > c.deadline ? std::string(": la scadenza è passata, ma per questo ente gli invii restano aperti fino alla prossima "
                                                        "decisione.")
                                          : std::string(".")) +
                        "</p>",
                    "status");
    } else if (own.review_state == ReviewState::approvato) {
      body << alert("ok", Icon::valid,
                    "<p><strong>Approvato</strong> da " + esc(own.review->reviewer) + " il " + format_rome_time(own.review->at) + ": " +
                        esc(own.review->note) + "</p><p>Gli invii sono chiusi; per inviare un'altra versione chiedere di riaprirli.</p>",
                    "status");
    }
  }

  // An approved comune cannot send (the server refuses it): no form to fill in vain. The Region
  // watches first and sends for an ente now and then: its form comes after the list.
  const bool may_send = !(user.role == Role::comune && rows.size() == 1 && rows.front().review_state == ReviewState::approvato);
  if (may_send && user.role != Role::regione) upload_form(body, user, csrf, c, rows);

  body << "<h2>Stato degli invii</h2>";
  body << "<p>Enti: " << total.expected << ".</p><ul class=\"conteggi\" aria-label=\"Enti per stato\">";
  for (const EnteState state : {EnteState::valido, EnteState::in_ritardo, EnteState::con_errori, EnteState::mancante, EnteState::file_mancante}) {
    if (state == EnteState::file_mancante && total.in(state) == 0) continue;
    body << "<li>" << badge(look_of(state), std::string(to_string(state)) + ": " + std::to_string(total.in(state))) << "</li>";
  }
  if (user.role != Role::comune) body << "<li>" << badge({"ok", Icon::valid}, "approvati: " + std::to_string(total.approved)) << "</li>";
  body << "</ul>";
  if (total.in(EnteState::file_mancante) > 0) {
    body << alert("ko", Icon::warning, "<p>Per " + std::to_string(total.in(EnteState::file_mancante)) +
                                         " enti il file che conta non è più sul server: devono inviarlo di nuovo.</p>");
  }
  if (user.role != Role::comune) progress_section(body, c, list);
  const std::string query = list_query(list.filter, 0);
  body << "<ul class=\"azioni\"><li><a class=\"pulsante secondario\" href=\"/campagne/" << c.id << "/stato.csv" << esc(query) << "\">"
       << svg(Icon::download) << "Scarica l'elenco (CSV)</a></li>";
  if (user.role != Role::comune) {
    body << "<li><a class=\"pulsante secondario\" href=\"/campagne/" << c.id << "/stato.xlsx" << esc(query) << "\">" << svg(Icon::download)
         << "Scarica l'elenco (xlsx)</a></li>";
    const ConsolidationScope scope = consolidation_scope(list);
    const std::string of = scope.name.empty() ? "" : ": " + esc(scope.name);
    const std::string consolidated = "/campagne/" + std::to_string(c.id) + "/consolidato";
    body << "<li><a class=\"pulsante secondario\" href=\"" << esc(consolidated + (scope.query.empty() ? "" : "?" + scope.query)) << "\">"
         << svg(Icon::download) << "Scarica il consolidato" << of << " (xlsx)</a></li><li><a class=\"pulsante secondario\" href=\""
         << esc(consolidated + "?" + (scope.query.empty() ? "" : scope.query + "&") + "solo_approvati=1") << "\">" << svg(Icon::download)
         << "Consolidato dei soli enti approvati" << of << "</a></li>";
  }
  body << "</ul>";
  if (user.role != Role::comune) filter_form(body, c, list);
  const std::vector<Column> columns{{"Codice"}, {"Ente"}, {"Ambito"}, {"Stato"}, {"Revisione"}, {"Versioni"}, {"Ultimo invio"}};
  open_table(body, "Enti della campagna", columns);
  for (const EnteStatus& row : list.status.rows) {
    std::string latest;
    if (row.latest) {
      latest = "<a href=\"/invii/" + std::to_string(row.latest->id) + "\">" + format_rome_time(row.latest->uploaded_at) + "</a> da " +
               esc(row.latest->sender());
    }
    table_row(body, columns,
              {esc(row.ente), "<a href=\"" + esc(ente_href(c, row.ente)) + "\">" + esc(row.name) + "</a>", esc(row.ambito), badge(row.state),
               review_badge(row.review_state), std::to_string(row.versions), latest});
  }
  close_table(body);
  if (list.status.pages > 1) pager(body, c, list);
  if (user.role == Role::regione) upload_form(body, user, csrf, c, rows);
  return layout(site, {c.name, {campaigns_crumb(), {c.name, ""}}, body.str(), &user, csrf});
}

namespace {

std::string review_section(const std::string& csrf, const Submission& s, const ReviewView& review) {
  std::ostringstream out;
  const bool approved = !review.history.empty() && locks(review.history.back());
  if (review.history.empty() && !review.may_review) return "";
  out << "<h2>Revisione</h2>";
  if (!review.history.empty()) {
    const std::vector<Column> columns{{"Quando (ora italiana)"}, {"Chi"}, {"Esito"}, {"Versione"}, {"Nota"}};
    open_table(out, "Decisioni sull'ente", columns);
    for (const Review& r : review.history) {
      table_row(out, columns,
                {format_rome_time(r.at), esc(r.reviewer), review_badge(r.outcome), "<a href=\"/invii/" + std::to_string(r.submission) + "\">versione " +
                 std::to_string(r.version) + "</a>", esc(r.note)});
    }
    close_table(out);
  }
  if (!review.may_review) return out.str();
  if (!review.counts) {
    out << "<p>Si decide sulla versione che conta per l'ente (la più recente valida, altrimenti la più recente): non è questa.</p>";
    return out.str();
  }
  // The last decision this page shows: another one made meanwhile refuses this form's.
  out << "<form method=\"post\" action=\"/invii/" << s.id << "/revisione\" class=\"scheda\"><input type=\"hidden\" name=\"csrf\" value=\""
      << esc(csrf) << "\"><input type=\"hidden\" name=\"dopo_decisione\" value=\"" << (review.history.empty() ? 0 : review.history.back().id) << "\"><label for=\"nota\">Nota per l'ente (obbligatoria)</label><textarea id=\"nota\" name=\"nota\" rows=\"3\" required "
      << "maxlength=\"4000\" aria-describedby=\"nota-aiuto\"></textarea><p class=\"aiuto\" id=\"nota-aiuto\">"
      << (s.valid ? "L'ente approvato non può più inviare finché non si riaprono i suoi invii." : "Questa versione ha errori: si può solo rinviarla.")
      << "</p><p>";
  if (approved) {
    out << "<button type=\"submit\" name=\"esito\" value=\"riaperto\">Riapri gli invii</button> ";
  } else if (s.valid) {
    out << "<button type=\"submit\" name=\"esito\" value=\"approvato\">Approva</button> ";
  }
  out << "<button type=\"submit\" name=\"esito\" value=\"rinviato\" class=\"secondario\">Rinvia per correzioni</button></p></form>";
  return out.str();
}

}  // namespace

std::string submission_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& c, const std::string& ente_name,
                            const Submission& s, const forms::Report& report, const ReviewView& review) {
  std::ostringstream body;
  const std::string outcome = "<p><strong>Versione " + std::to_string(s.version) + " di «" + esc(s.file_name) + "» per " + esc(ente_name) + " (" + esc(s.ente) + "): " +
                              (s.valid ? "valida" : "con errori bloccanti") + (s.late ? " (in ritardo)" : "") + ".</strong> " +
                              esc(errors_and_warnings(s.errors, s.warnings)) + ".</p>";
  body << alert(s.valid ? "ok" : "ko", s.valid ? Icon::valid : Icon::error, outcome, "status");
  body << "<p>Inviata da " << esc(s.sender()) << " il " << format_rome_time(s.uploaded_at) << " (ora italiana); SHA-256 <code>" << esc(s.sha256)
       << "</code>.</p><p>Protocollo n. <strong>" << esc(s.protocol) << "</strong>: <a href=\"/invii/" << s.id
       << "/ricevuta\">ricevuta di invio (da stampare)</a></p>";
  body << "<ul class=\"azioni\"><li><a class=\"pulsante\" href=\"/invii/" << s.id << "/annotato\">" << svg(Icon::download)
       << "Scarica la copia annotata (errori evidenziati" << (sent_in_another_format(s.file_name) ? "; in formato .xlsx" : "") << ")</a></li><li><a class=\"pulsante secondario\" href=\"/invii/" << s.id << "/file\">"
       << svg(Icon::download) << "Scarica il file inviato</a></li></ul>"
       << "<p><a href=\"" << esc(ente_href(c, s.ente)) << "\">Tutte le versioni di " << esc(ente_name) << "</a> · <a href=\"/campagne/" << c.id
       << "\">Torna alla campagna</a></p>";
  if (!report.issues.empty()) {
    const std::vector<Column> columns{{"Gravità"}, {"Foglio"}, {"Cella"}, {"Valore"}, {"Problema"}, {"Codice"}};
    open_table(body, "Problemi trovati", columns);
    for (const forms::Issue& issue : report.issues) {
      const bool warning = issue.severity == forms::Severity::warning;
      table_row(body, columns,
                {badge(warning ? Look{"ritardo", Icon::warning} : Look{"ko", Icon::error}, forms::to_string(issue.severity, Lang::it)),
                 esc(issue.sheet), esc(issue.cell), esc(issue.found), esc(issue.message.it), "<code>" + esc(issue.code) + "</code>"});
    }
    close_table(body);
  } else {
    body << alert("ok", Icon::valid, "<p>Nessun problema trovato.</p>");
  }
  body << review_section(csrf, s, review);
  const std::string title = "Esito dell'invio";
  return layout(site, {title,
                       {campaigns_crumb(), campaign_crumb(c), {ente_name, ente_href(c, s.ente)}, {"Versione " + std::to_string(s.version), ""}},
                       body.str(),
                       &user,
                       csrf});
}

std::string ente_page(const SiteInfo& site, const User& user, const std::string& csrf, const Campaign& c, const EnteHistory& h) {
  std::ostringstream body;
  body << "<p class=\"lead\">Codice " << esc(h.ente.code) << (h.ente.ambito.empty() || h.ente.ambito == h.ente.code ? "" : " · Ambito " + esc(h.ente.ambito))
       << " · campagna «" << esc(c.name) << "».</p><p>Stato: " << badge(h.status.state);
  if (h.status.review_state != ReviewState::nessuna) body << " · revisione: " << review_badge(h.status.review_state);
  body << "</p>";
  if (const std::optional<Review>& r = h.status.review) {
    body << "<p>Ultima decisione: " << review_badge(r->outcome) << " della versione " << r->version << ", di " << esc(r->reviewer) << " il "
         << format_rome_time(r->at) << ". Nota: «" << esc(r->note) << "»</p>";
  }

  const Submission* counting = nullptr;
  const Submission* newest = h.versions.empty() ? nullptr : &h.versions.front();
  for (const Submission& s : h.versions) {
    if (h.counts && s.id == *h.counts) counting = &s;
  }
  const auto missing_file = [&](const Submission& s) { return std::find(h.without_file.begin(), h.without_file.end(), s.id) != h.without_file.end(); };
  const auto named = [](const Submission& s) { return "la versione " + std::to_string(s.version) + " del " + format_rome_time(s.uploaded_at); };
  // Which version counts, and why.
  if (counting && h.newer_with_errors) {
    body << alert("attenzione", Icon::warning,
                  "<p><strong>Attenzione: l'ultima versione inviata non conta.</strong> La versione " + std::to_string(newest->version) + " del " +
                      format_rome_time(newest->uploaded_at) + " ha errori bloccanti, quindi conta ancora " + named(*counting) +
                      ", l'ultima senza errori bloccanti.</p><p>Se i dati giusti sono quelli della versione " + std::to_string(newest->version) +
                      ", correggerla (la copia annotata segna le celle) e inviarla di nuovo.</p>");
  } else if (counting) {
    std::string why = "<p><strong>Conta " + named(*counting) + "</strong>: è la versione più recente senza errori bloccanti.";
    if (counting->late) why += " È arrivata dopo la scadenza ed è marcata in ritardo.";
    why += "</p>";
    body << alert(counting->late ? "attenzione" : "ok", counting->late ? Icon::late : Icon::valid, why);
  } else if (newest) {
    body << alert("ko", Icon::error,
                  "<p><strong>Nessuna versione conta:</strong> " +
                      (h.versions.size() == 1 ? std::string("l'unica versione inviata ha") : "tutte le " + std::to_string(h.versions.size()) + " versioni inviate hanno") +
                      " errori bloccanti. Correggere il file (la copia annotata segna le celle) e inviarlo di nuovo.</p>");
  } else {
    body << alert("info", Icon::missing, "<p><strong>Nessuna versione conta:</strong> l'ente non ha ancora inviato il file.</p>");
  }
  if (counting && missing_file(*counting)) {
    body << alert("ko", Icon::warning, "<p>Il file della versione che conta non è più sul server: inviarlo di nuovo.</p>");
  }

  if (!h.versions.empty()) {
    const std::vector<Column> columns{{"Versione"}, {"Inviata il (ora italiana)"}, {"Inviata da"}, {"File"}, {"Esito"}, {"Documenti"}};
    open_table(body, "Versioni inviate, dalla più recente", columns);
    for (const Submission& s : h.versions) {
      const std::string id = std::to_string(s.id), v = std::to_string(s.version);
      std::string version = v;
      if (&s == counting) version += " " + badge(Look{"ok", Icon::valid}, "conta");
      std::string outcome = badge(s.valid ? Look{"ok", Icon::valid} : Look{"ko", Icon::error}, s.valid ? "valida" : "con errori") + " " +
                            esc(errors_and_warnings(s.errors, s.warnings));
      if (s.late) outcome += " " + badge(Look{"ritardo", Icon::late}, "in ritardo");
      const std::string hidden = "<span class=\"visually-hidden\"> della versione " + v + "</span>";
      std::string documents = "<a href=\"/invii/" + id + "\">Esito e problemi" + hidden + "</a>";
      if (missing_file(s)) {
        documents += "<br>" + badge(Look{"ko", Icon::warning}, "file mancante sul server");
      } else {
        documents += "<br><a href=\"/invii/" + id + "/file\">File inviato" + hidden + "</a><br><a href=\"/invii/" + id + "/annotato\">Copia annotata" +
                     hidden + "</a>";
      }
      documents += "<br><a href=\"/invii/" + id + "/ricevuta\">Ricevuta" + (s.protocol.empty() ? "" : " n. " + esc(s.protocol)) + hidden + "</a>";
      table_row(body, columns, {version, format_rome_time(s.uploaded_at), sender_html(s, h.ente.name), esc(s.file_name), outcome, documents});
    }
    close_table(body);
  }
  body << "<p><a href=\"/campagne/" << c.id << "\">Torna alla campagna</a></p>";
  return layout(site, {h.ente.name, {campaigns_crumb(), campaign_crumb(c), {h.ente.name, ""}}, body.str(), &user, csrf});
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
    for (std::size_t c = 0; c < cells.size(); ++c) {
      // Text a user typed (a reviewer's note) that a spreadsheet would take for a formula is kept as text.
      const std::string& cell = cells[c];
      const bool formula_like = !cell.empty() && std::string_view("=+-@").find(cell.front()) != std::string_view::npos;
      out << (c ? ";" : "") << csv_field(formula_like ? "'" + cell : cell, ';');
    }
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

namespace {

// What the API says of any version, wherever it lists one.
Poco::JSON::Object::Ptr version_json(const Submission& s) {
  Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
  item->set("id", s.id);
  item->set("versione", s.version);
  item->set("nome_file", s.file_name);
  item->set("inviato_da", s.sender());
  item->set("inviato_il", format_rome_time(s.uploaded_at));
  item->set("valido", s.valid);
  item->set("in_ritardo", s.late);
  item->set("errori", s.errors);
  item->set("avvisi", s.warnings);
  item->set("sha256", s.sha256);
  return item;
}

}  // namespace

Poco::JSON::Object::Ptr submission_json(const Submission& s, const forms::Report& report) {
  Poco::JSON::Object::Ptr body = version_json(s);
  body->set("campagna", s.campaign);
  body->set("ente", s.ente);
  body->set("dimensione", s.size);
  body->set("protocollo", s.protocol);
  body->set("ricevuta", "/invii/" + std::to_string(s.id) + "/ricevuta");
  body->set("rapporto", report_object(report));
  return body;
}

Poco::JSON::Object::Ptr ente_json(const Campaign& c, const EnteHistory& h) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("campagna", c.id);
  body->set("ente", h.ente.code);
  body->set("nome", h.ente.name);
  body->set("ambito", h.ente.ambito);
  body->set("stato", std::string(to_string(h.status.state)));
  if (h.counts) body->set("versione_che_conta", *h.counts);
  body->set("ultima_con_errori_dopo_una_valida", h.newer_with_errors);
  Poco::JSON::Array::Ptr versions = new Poco::JSON::Array;
  for (const Submission& s : h.versions) {
    Poco::JSON::Object::Ptr item = version_json(s);
    item->set("conta", h.counts && *h.counts == s.id);
    item->set("file_mancante", std::find(h.without_file.begin(), h.without_file.end(), s.id) != h.without_file.end());
    versions->add(item);
  }
  body->set("versioni", versions);
  return body;
}

// ---- receipts and the outbox ----

std::string receipt_page(const SiteInfo& site, const User& user, const std::string& csrf, const Receipt& r) {
  const Submission& s = r.submission;
  const Campaign& c = r.campaign;
  std::ostringstream body;
  body << "<section class=\"ricevuta\" aria-labelledby=\"numero\"><p id=\"numero\" class=\"numero\">Protocollo n. <strong>" << esc(s.protocol)
       << "</strong></p><p>" << esc(site.administration)
       << " attesta che il file indicato sotto è stato ricevuto e registrato dal servizio di raccolta dei Piani di Zona.</p>"
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
       << "<p class=\"non-stampare\"><a href=\"/invii/" << s.id << "\">Torna all'esito dell'invio</a> · per stamparla o salvarla in PDF usare "
          "la stampa del browser</p></section>";
  return layout(site, {"Ricevuta di invio",
                       {campaigns_crumb(), campaign_crumb(c), {r.ente_name, ente_href(c, s.ente)}, {"Versione " + std::to_string(s.version), "/invii/" + std::to_string(s.id)},
                        {"Ricevuta", ""}},
                       body.str(),
                       &user,
                       csrf});
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

std::string outbox_page(const SiteInfo& site, const User& user, const std::string& csrf, const OutboxCounts& n, const std::vector<OutboxMessage>& failing,
                        const std::string& smtp) {
  std::ostringstream body;
  body << "<p>" << (smtp.empty() ? "Invio della posta non configurato (smtp_host): i messaggi restano in coda finché non lo si configura."
                                 : "La posta parte attraverso " + esc(smtp) + ".")
       << "</p><ul class=\"conteggi\" aria-label=\"Messaggi per stato\"><li>" << badge({"ok", Icon::valid}, "inviati: " + std::to_string(n.sent))
       << "</li><li>" << badge({"manca", Icon::late}, "in attesa: " + std::to_string(n.pending)) << "</li><li>"
       << badge({"ko", Icon::warning}, "in errore: " + std::to_string(n.failing)) << "</li><li>"
       << badge({"ko", Icon::error}, "abbandonati: " + std::to_string(n.abandoned)) << "</li></ul>";
  if (failing.empty()) {
    body << alert("ok", Icon::valid, "<p>Nessun messaggio in errore.</p>");
  } else {
    const std::vector<Column> columns{{"Creato"}, {"Destinatario"}, {"Oggetto"}, {"Stato"}, {"Tentativi"}, {"Prossimo tentativo"}, {"Ultimo errore"}};
    open_table(body, "Messaggi non consegnati", columns);
    for (const OutboxMessage& m : failing) {
      const MailState state = state_of(m);
      // Once the address or the relay is put right: at once, not after the next delay (or never).
      const std::string retry = "<form class=\"riprova\" method=\"post\" action=\"/posta/" + std::to_string(m.id) + "/riprova\"><input type=\"hidden\" name=\"csrf\" value=\"" +
                                esc(csrf) + "\"><button type=\"submit\" class=\"secondario\">Riprova ora<span class=\"visually-hidden\"> il messaggio a " + esc(m.recipient) +
                                "</span></button></form>";
      table_row(body, columns,
                {format_rome_time(m.created), esc(m.recipient), esc(m.subject), badge({"ko", Icon::error}, to_string(state)) + retry,
                 std::to_string(m.attempts), state == MailState::abandoned ? "nessuno" : format_rome_time(m.next_attempt), esc(m.last_error)});
    }
    close_table(body);
  }
  return layout(site, {"Posta in uscita", {campaigns_crumb(), {"Posta in uscita", ""}}, body.str(), &user, csrf});
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
