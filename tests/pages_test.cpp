// The site's pages as a person and a script reach them (issue #14, points 1-3): the frame of every
// page (administration, breadcrumbs, footer, skip link), the assets served from the server itself,
// the blank template of a campaign, and the page of one ente with which of its versions counts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/digest.hpp"
#include "common/rome_time.hpp"
#include "consolida/forms.hpp"
#include "consolida/server.hpp"
#include "consolida/xlsx.hpp"
#include "consolida/report_json.hpp"
#include "server/intake.hpp"
#include "support/bundled_forms.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"

namespace {

namespace fs = std::filesystem;
using namespace consolida;
using namespace consolida::server;
using Reply = consolida::testing::HttpReply;
const auto now = consolida::unix_now;

class SitePages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = fs::temp_directory_path() / ("consolida-pages-data-" + std::to_string(::getpid()));
    fs::remove_all(data_dir_);
    ServerOptions options;
    options.data_dir = data_dir_.string();
    options.port = 0;
    options.threads = 4;
    options.password_iterations = 1000;
    options.site.administration = "Regione di Prova";
    options.site.help_email = "assistenza@prova.example";
    options.site.help_phone = "02 0000 0000";
    options.site.privacy_text = "## Chi tratta i dati\nLa Regione di Prova tratta i dati\ndegli utenti.\n\nSecondo paragrafo <b>.";
    server_ = new Server(options, consolida::testing::bundled_forms(), registry::Registry::builtin());
    Store& store = server_->store();
    campaign_ = store.add_campaign({0, "Spesa sociale 2024", "spesa-sociale-comune", 2024, now() - 86400, now() + 30 * 86400, LatePolicy::refuse});
    no_plugin_ = store.add_campaign({0, "Modulo senza plugin", "modulo-che-non-esiste", 2024, now() - 86400, now() + 86400, LatePolicy::refuse});
    store.add_user("melzo", Role::comune, "015142", "pw-melzo-1");
    store.add_user("ufficio-melzo", Role::ambito, "MELZO", "pw-ambito-1");
    store.add_user("regione", Role::regione, "", "pw-regione-1");
    for (const char* user : {"melzo", "ufficio-melzo", "regione"}) tokens_[user] = store.issue_token(user).secret;
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    fs::remove_all(data_dir_);
  }

  static Reply get(const std::string& path, const std::string& user = "") {
    std::map<std::string, std::string> headers;
    if (!user.empty()) headers["Authorization"] = "Bearer " + tokens_[user];
    return consolida::testing::http_call(server_->port(), "GET", path, "", "", headers);
  }
  static std::string campaign_path(std::int64_t id = 0) { return "/campagne/" + std::to_string(id ? id : campaign_); }

  // A version recorded as the server records it: its bytes stored, its outcome as given.
  static Submission add_version(const std::string& ente, const std::string& bytes, bool valid, const std::string& by = "melzo",
                                const std::string& on_behalf = "", std::int64_t at = 0) {
    Submission draft;
    draft.campaign = campaign_;
    draft.ente = ente;
    draft.sha256 = sha256_hex(bytes);
    draft.size = bytes.size();
    draft.file_name = ente + "-" + draft.sha256.substr(0, 6) + ".xlsx";
    draft.uploaded_by = by;
    draft.on_behalf = on_behalf;
    draft.uploaded_at = at ? at : now();
    draft.valid = valid;
    draft.errors = valid ? 0 : 2;
    draft.warnings = 1;
    forms::Report report;
    report.form_id = "spesa-sociale-comune";
    draft.report_json = forms::to_json(report);
    const std::string temp = (data_dir_ / "tmp" / draft.sha256).string();
    std::ofstream(temp, std::ios::binary) << bytes;
    const std::variant<Submission, NotStored> stored = server_->store().add_submission(draft, temp);
    EXPECT_TRUE(std::holds_alternative<Submission>(stored));
    return std::holds_alternative<Submission>(stored) ? std::get<Submission>(stored) : draft;
  }

  static inline fs::path data_dir_;
  static inline Server* server_ = nullptr;
  static inline std::int64_t campaign_ = 0, no_plugin_ = 0;
  static inline std::map<std::string, std::string> tokens_;
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- which version counts ----

Submission version(int number, bool valid) {
  Submission s;
  s.id = 100 + number;
  s.version = number;
  s.valid = valid;
  return s;
}

TEST(WhichCounts, TheNewestValidVersionCountsAndALaterBrokenOneIsFlagged) {
  EXPECT_EQ(which_counts({}).counts, nullptr);
  EXPECT_FALSE(which_counts({}).newer_with_errors);

  const std::vector<Submission> none_valid{version(1, false), version(2, false)};
  EXPECT_EQ(which_counts(none_valid).counts, nullptr);
  EXPECT_FALSE(which_counts(none_valid).newer_with_errors) << "nothing counts, so nothing was replaced";

  // In any order: the newest valid one, whatever came before it.
  const std::vector<Submission> fixed{version(3, true), version(1, true), version(2, false)};
  ASSERT_NE(which_counts(fixed).counts, nullptr);
  EXPECT_EQ(which_counts(fixed).counts->version, 3);
  EXPECT_FALSE(which_counts(fixed).newer_with_errors);

  const std::vector<Submission> broken_after_valid{version(1, false), version(2, true), version(3, true), version(4, false)};
  ASSERT_NE(which_counts(broken_after_valid).counts, nullptr);
  EXPECT_EQ(which_counts(broken_after_valid).counts->version, 3);
  EXPECT_TRUE(which_counts(broken_after_valid).newer_with_errors);
}

// ---- the frame of every page ----

TEST_F(SitePages, EveryPageNamesTheAdministrationAndHasSkipLinkBreadcrumbsAndFooter) {
  const Submission sent = add_version("015142", "frame-1", true);
  struct Case {
    std::string what;
    Reply reply;
    int status;
    std::string crumbs;  // the breadcrumbs' last link, empty: none
  };
  const std::string c = campaign_path();
  const std::vector<Case> cases{
      {"login", get("/"), 200, ""},
      {"campaigns", get("/campagne", "melzo"), 200, "<li aria-current=\"page\">Campagne</li>"},
      {"campaign", get(c, "melzo"), 200, "<a href=\"/campagne\">Campagne</a>"},
      {"ente", get(c + "/enti/015142", "melzo"), 200, "<a href=\"" + c + "\">Spesa sociale 2024</a>"},
      {"version", get("/invii/" + std::to_string(sent.id), "melzo"), 200, "<a href=\"" + c + "/enti/015142\">Melzo</a>"},
      {"privacy", get("/privacy"), 200, "<a href=\"/\">Home</a>"},
      {"accessibility", get("/accessibilita"), 200, "<a href=\"/\">Home</a>"},
      {"refusal", get("/campagne/999999", "melzo"), 404, "<a href=\"/campagne\">Campagne</a>"},
  };
  for (const Case& k : cases) {
    const std::string& page = k.reply.body;
    EXPECT_EQ(k.reply.status, k.status) << k.what;
    EXPECT_TRUE(has(page, "<html lang=\"it\">")) << k.what;
    EXPECT_TRUE(has(page, "<a class=\"salta\" href=\"#contenuto\">Vai al contenuto principale</a>")) << k.what;
    EXPECT_TRUE(has(page, "<main id=\"contenuto\"")) << k.what;
    EXPECT_TRUE(has(page, "<span class=\"amministrazione\">Regione di Prova</span>")) << k.what;
    EXPECT_FALSE(has(page, "Regione Lombardia")) << k.what << ": the configured name replaces the default";
    EXPECT_TRUE(has(page, "<a href=\"mailto:assistenza@prova.example\">assistenza@prova.example</a>")) << k.what;
    EXPECT_TRUE(has(page, "Telefono: 02 0000 0000")) << k.what;
    EXPECT_TRUE(has(page, "<a href=\"/privacy\">") && has(page, "<a href=\"/accessibilita\">")) << k.what;
    EXPECT_TRUE(has(page, "<h1>") && page.find("<h1>") == page.rfind("<h1>")) << k.what << ": one title";
    EXPECT_EQ(has(page, "aria-label=\"Percorso di navigazione\""), !k.crumbs.empty()) << k.what;
    if (!k.crumbs.empty()) {
      EXPECT_TRUE(has(page, k.crumbs)) << k.what << ": " << page;
      EXPECT_TRUE(has(page, "<li aria-current=\"page\">")) << k.what;
    }
    // Only the site's own stylesheet: no CDN, nothing for the Content-Security-Policy to refuse.
    EXPECT_TRUE(has(page, "<link rel=\"stylesheet\" href=\"/stile.css\">")) << k.what;
    EXPECT_FALSE(has(page, "http://") || has(page, "https://") || has(page, "<script") || has(page, "style=\"")) << k.what;
  }
}

TEST_F(SitePages, PrivacyAndAccessibilityPagesShowTheConfiguredTextOrADefaultNamingTheAdministration) {
  const Reply privacy = get("/privacy");
  ASSERT_EQ(privacy.status, 200);
  EXPECT_TRUE(has(privacy.body, "<h1>Informativa sul trattamento dei dati personali</h1>"));
  EXPECT_TRUE(has(privacy.body, "<h2>Chi tratta i dati</h2><p>La Regione di Prova tratta i dati degli utenti.</p><p>Secondo paragrafo &lt;b&gt;.</p>"))
      << privacy.body;
  const Reply accessibility = get("/accessibilita");
  ASSERT_EQ(accessibility.status, 200);
  EXPECT_TRUE(has(accessibility.body, "<h1>Dichiarazione di accessibilità</h1>"));
  EXPECT_TRUE(has(accessibility.body, "<p>Regione di Prova si impegna a rendere accessibile questo servizio")) << accessibility.body;
  EXPECT_TRUE(has(accessibility.body, "scrivendo a assistenza@prova.example o telefonando al 02 0000 0000")) << accessibility.body;
}

TEST_F(SitePages, StylesheetAndFontsAreServedByTheServerItself) {
  const Reply css = get("/stile.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.headers.get("Content-Type", ""), "text/css; charset=utf-8");
  EXPECT_TRUE(has(css.body, "font-family: \"Titillium Web\""));
  // Every url() of the stylesheet is a font of this server, and each is served.
  std::size_t fonts = 0;
  for (std::size_t at = css.body.find("url("); at != std::string::npos; at = css.body.find("url(", at + 1)) {
    const std::string url = css.body.substr(at + 4, css.body.find(')', at) - at - 4);
    ASSERT_EQ(url.rfind("/risorse/fonts/", 0), 0u) << url;
    const Reply font = get(url);
    EXPECT_EQ(font.status, 200) << url;
    EXPECT_EQ(font.headers.get("Content-Type", ""), "font/woff2") << url;
    EXPECT_EQ(font.body, consolida::testing::slurp(CONSOLIDA_SOURCE_DIR "/src/server/assets" + url.substr(8))) << url;
    EXPECT_EQ(font.body.substr(0, 4), "wOF2") << url;
    EXPECT_EQ(font.headers.get("Content-Security-Policy", "").find("default-src 'self'"), 0u) << url;
    ++fonts;
  }
  EXPECT_EQ(fonts, 7u);
  const Reply licence = get("/risorse/fonts/OFL.txt");
  EXPECT_EQ(licence.status, 200);
  EXPECT_TRUE(has(licence.body, "SIL Open Font License"));
  EXPECT_EQ(get("/risorse/fonts/nessuno.woff2").status, 404);
  EXPECT_EQ(get("/risorse/../consolida.sqlite").status, 404);
}

// ---- the blank template ----

TEST_F(SitePages, TheCampaignOffersTheBlankTemplateOfItsFormAndVersion) {
  const forms::FormSpec& spec = consolida::testing::bundled_form("spesa-sociale-comune");
  const std::string name = "modello-spesa-sociale-comune-" + spec.version + ".xlsx";
  const Reply page = get(campaign_path(), "melzo");
  EXPECT_TRUE(has(page.body, "<a class=\"pulsante secondario\" href=\"" + campaign_path() + "/modello\" download>")) << page.body;
  EXPECT_TRUE(has(page.body, name));

  for (const std::string& path : {campaign_path() + "/modello", "/api/v1" + campaign_path() + "/modello"}) {
    const Reply blank = get(path, "melzo");
    ASSERT_EQ(blank.status, 200) << path << ": " << blank.body.substr(0, 300);
    EXPECT_EQ(blank.headers.get("Content-Type", ""), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_TRUE(has(blank.headers.get("Content-Disposition", ""), "filename=\"" + name + "\"")) << blank.headers.get("Content-Disposition", "");
    // The file is the form's own template: recognised by its identity, at the current version,
    // and read as that form (every field and table found, nothing filled yet).
    xlsx::Workbook workbook = xlsx::Workbook::open_bytes(blank.body, name);
    EXPECT_EQ(&forms::recognise(workbook, consolida::testing::bundled_forms()), &spec);
    ASSERT_NE(workbook.find_custom_property("consolida_versione"), nullptr);
    EXPECT_EQ(workbook.find_custom_property("consolida_versione")->value, spec.version);
    const forms::Report report = forms::validate_bytes(blank.body, name, consolida::testing::bundled_forms(), registry::Registry::builtin());
    EXPECT_EQ(report.form_id, spec.id);
    for (const forms::Issue& issue : report.issues) {
      EXPECT_FALSE(has(issue.code, "-ASSENTE") || has(issue.code, "-MODELLO") || has(issue.code, "-FOGLIO")) << issue.code << " " << issue.message.it;
    }
  }
  EXPECT_EQ(get(campaign_path() + "/modello").status, 303) << "a page for signed-in users";
  EXPECT_EQ(get("/api/v1" + campaign_path() + "/modello").status, 401);
  EXPECT_EQ(get("/campagne/999999/modello", "melzo").status, 404);
  const Reply missing = get(campaign_path(no_plugin_) + "/modello", "regione");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(has(missing.body, "non è disponibile su questo server")) << missing.body;
}

// ---- the page of one ente ----

TEST_F(SitePages, TheEntePageListsEveryVersionAndSaysWhichCountsAndWhy) {
  // Cassano d'Adda (015059): a valid version sent by the Ambito for it, then one with errors.
  const std::string ente = "015059", page_path = campaign_path() + "/enti/" + ente;
  const Reply before = get(page_path, "regione");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(has(before.body, "l'ente non ha ancora inviato il file")) << before.body;

  const std::int64_t noon = *parse_rome_time("2024-07-01 12:00");
  const Submission first = add_version(ente, "cassano-1", true, "ufficio-melzo", "Ambito MELZO", noon);
  const Submission second = add_version(ente, "cassano-2", false, "ufficio-melzo", "Ambito MELZO", noon + 3600);
  const Reply broken_after_valid = get(page_path, "regione");
  ASSERT_EQ(broken_after_valid.status, 200);
  const std::string& page = broken_after_valid.body;
  EXPECT_TRUE(has(page, "<h1>Cassano d&#39;Adda</h1>")) << page;
  EXPECT_TRUE(has(page, "l'ultima versione inviata non conta")) << page;
  EXPECT_TRUE(has(page, "La versione 2 del 01/07/2024 13:00 ha errori bloccanti, quindi conta ancora la versione 1 del 01/07/2024 12:00")) << page;
  // Each version: number, time in Rome, sender on whose behalf, file, outcome, links.
  EXPECT_TRUE(has(page, "<td data-etichetta=\"Inviata il (ora italiana)\">01/07/2024 12:00</td>")) << page;
  EXPECT_TRUE(has(page, "<td data-etichetta=\"Inviata da\">ufficio-melzo (Ambito MELZO) per conto di Cassano d&#39;Adda</td>")) << page;
  EXPECT_TRUE(has(page, "<td data-etichetta=\"File\">" + first.file_name + "</td>")) << page;
  EXPECT_TRUE(has(page, "2 errori, 1 avviso"));
  for (const Submission& s : {first, second}) {
    const std::string id = std::to_string(s.id);
    EXPECT_TRUE(has(page, "<a href=\"/invii/" + id + "/file\">") && has(page, "<a href=\"/invii/" + id + "/annotato\">")) << id;
    ASSERT_FALSE(s.protocol.empty());
    EXPECT_TRUE(has(page, "<a href=\"/invii/" + id + "/ricevuta\">Ricevuta n. " + s.protocol)) << "each version's receipt";
  }
  // Newest first; the counting one marked.
  EXPECT_LT(page.find("/invii/" + std::to_string(second.id) + "/file"), page.find("/invii/" + std::to_string(first.id) + "/file"));
  EXPECT_TRUE(has(page, "<td data-etichetta=\"Versione\">1 <span class=\"stato ok\">")) << page;
  const Reply json = get("/api/v1" + page_path, "regione");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_TRUE(has(json.body, "\"versione_che_conta\":" + std::to_string(first.id))) << json.body;
  EXPECT_TRUE(has(json.body, "\"ultima_con_errori_dopo_una_valida\":true")) << json.body;

  // Corrected: the newest counts, and the warning goes.
  add_version(ente, "cassano-3", true, "ufficio-melzo", "Ambito MELZO", noon + 7200);
  const Reply fixed = get(page_path, "regione");
  EXPECT_TRUE(has(fixed.body, "Conta la versione 3 del 01/07/2024 14:00</strong>: è la versione più recente senza errori bloccanti")) << fixed.body;
  EXPECT_FALSE(has(fixed.body, "non conta"));
  EXPECT_TRUE(has(get("/api/v1" + page_path, "regione").body, "\"ultima_con_errori_dopo_una_valida\":false"));
  // The Ambito's decision shows on the ente's page, with the version it was about and its note.
  Review sent_back;
  sent_back.campaign = campaign_;
  sent_back.ente = ente;
  sent_back.submission = server_->store().latest(campaign_, ente)->id;
  sent_back.outcome = ReviewOutcome::rinviato;
  sent_back.note = "Manca la firma del responsabile";
  sent_back.reviewer = "ufficio-melzo";
  sent_back.at = noon + 9000;
  ASSERT_TRUE(std::holds_alternative<Review>(server_->store().add_review(sent_back, std::nullopt, {})));
  const Reply reviewed = get(page_path, "regione");
  EXPECT_TRUE(has(reviewed.body, "revisione: <span class=\"stato ko\">")) << reviewed.body;
  EXPECT_TRUE(has(reviewed.body, "della versione 3, di ufficio-melzo il 01/07/2024 14:30. Nota: «Manca la firma del responsabile»")) << reviewed.body;

  // Only versions with errors: none counts, and the page says why.
  const std::string other = "015114";  // another comune of the Ambito of Melzo
  add_version(other, "solo-errori", false, "regione", "Regione");
  const Reply none = get(campaign_path() + "/enti/" + other, "ufficio-melzo");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(has(none.body, "Nessuna versione conta:</strong> l'unica versione inviata ha errori bloccanti")) << none.body;
  EXPECT_TRUE(has(get("/api/v1" + campaign_path() + "/enti/" + other, "ufficio-melzo").body, "\"versioni\":[{")) ;
  EXPECT_FALSE(has(get("/api/v1" + campaign_path() + "/enti/" + other, "ufficio-melzo").body, "versione_che_conta"));

  // The campaign's table links each ente to its page (the Region's list filtered to the Ambito).
  EXPECT_TRUE(has(get(campaign_path() + "?ambito=MELZO", "regione").body, "<a href=\"" + page_path + "\">Cassano d&#39;Adda</a>"));
}

TEST_F(SitePages, AnEnteSeesOnlyItsOwnPageAndAnothersIsAnsweredLikeAMissingOne) {
  const std::string c = campaign_path();
  EXPECT_EQ(get(c + "/enti/015142", "melzo").status, 200);
  const Reply other = get(c + "/enti/015059", "melzo");        // Cassano, same Ambito
  const Reply missing = get(c + "/enti/999999", "melzo");      // no such comune
  const Reply lodi_for_ambito = get(c + "/enti/098031", "ufficio-melzo");  // Lodi, another Ambito
  for (const Reply* refused : {&other, &missing, &lodi_for_ambito}) {
    EXPECT_EQ(refused->status, 403) << refused->body;
    EXPECT_FALSE(has(refused->body, "Cassano") || has(refused->body, "Lodi")) << "nothing of the ente shows";
  }
  EXPECT_EQ(other.body, missing.body);
  EXPECT_EQ(get("/api/v1" + c + "/enti/015059", "melzo").body, get("/api/v1" + c + "/enti/999999", "melzo").body);
  EXPECT_EQ(get("/api/v1" + c + "/enti/015059", "melzo").status, 403);
  // The Ambito sees its comuni, the Region every ente; nobody without signing in.
  EXPECT_EQ(get(c + "/enti/015059", "ufficio-melzo").status, 200);
  EXPECT_EQ(get(c + "/enti/098031", "regione").status, 200);
  EXPECT_EQ(get(c + "/enti/015142").status, 303);
  EXPECT_EQ(get("/api/v1" + c + "/enti/015142").status, 401);
  EXPECT_EQ(get("/campagne/999999/enti/015142", "melzo").status, 404);
}

}  // namespace

namespace {
std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}
}  // namespace

// A reviewer lists the enti by the state of their review: those to review, those sent back, those
// approved (issue #14: the Ambito reviews its comuni).
TEST_F(SitePages, AReviewerFiltersTheEntiByTheStateOfTheirReview) {
  const std::string c = campaign_path();
  add_version("015210", "settala-1", true, "settala", "");
  const Submission truccazzano = add_version("015224", "truccazzano-1", true, "truccazzano", "");
  Review approval;
  approval.campaign = campaign_;
  approval.ente = "015224";
  approval.submission = truccazzano.id;
  approval.outcome = ReviewOutcome::approvato;
  approval.note = "In ordine";
  approval.reviewer = "ufficio-melzo";
  approval.at = now();
  ASSERT_TRUE(std::holds_alternative<Review>(server_->store().add_review(approval, std::nullopt, {})));

  const Reply to_review = get(c + "?revisione=da+rivedere", "ufficio-melzo");
  ASSERT_EQ(to_review.status, 200) << to_review.body;
  EXPECT_TRUE(has(to_review.body, "id=\"filtro-revisione\""));
  EXPECT_TRUE(has(to_review.body, "href=\"" + c + "/enti/015210\""));
  EXPECT_FALSE(has(to_review.body, "href=\"" + c + "/enti/015224\""));
  EXPECT_FALSE(has(to_review.body, "href=\"" + c + "/enti/015237\"")) << "Vignate sent nothing: nothing to review";
  EXPECT_TRUE(has(to_review.body, "stato.csv?revisione=da%20rivedere\"")) << "the export carries the filter";
  const Reply approved = get(c + "?revisione=approvato", "ufficio-melzo");
  EXPECT_TRUE(has(approved.body, "href=\"" + c + "/enti/015224\""));
  EXPECT_FALSE(has(approved.body, "href=\"" + c + "/enti/015210\""));
  EXPECT_EQ(get(c + "?revisione=bocciato", "ufficio-melzo").status, 400);
}

// The Region's campaign page is its dashboard (issue #14): progress bars by ATS, then by Ambito
// within an ATS, a filter that works without script, 50 enti a page, missing first, and the
// exports carrying the same filter.
TEST_F(SitePages, TheRegionsCampaignPageIsADashboardFilteredAndPaged) {
  const std::string c = campaign_path();
  const Reply whole = get(c, "regione");
  ASSERT_EQ(whole.status, 200);
  EXPECT_TRUE(has(whole.body, "Enti: 1506.")) << "every comune counted, though 50 are listed";
  EXPECT_TRUE(has(whole.body, "Avanzamento per ATS"));
  EXPECT_EQ(count_of(whole.body, "<svg class=\"barra\""), 8u) << "one bar per ATS";
  EXPECT_EQ(count_of(whole.body, "href=\"" + c + "/enti/"), 50u) << "one page of 50";
  EXPECT_TRUE(has(whole.body, "1506 enti nell'elenco, prima i mancanti; pagina 1 di 31."));
  EXPECT_TRUE(has(whole.body, "href=\"" + c + "?pagina=2\" rel=\"next\""));
  EXPECT_TRUE(has(get(c + "?per_pagina=100", "regione").body, "href=\"" + c + "?per_pagina=100&amp;pagina=2\" rel=\"next\""))
      << "the pages keep their size";
  EXPECT_TRUE(has(whole.body, "id=\"filtro-ats\"") && has(whole.body, "id=\"filtro-ambito\""));

  const Reply ats = get(c + "?ats=MI", "regione");
  EXPECT_TRUE(has(ats.body, "Avanzamento per Ambito")) << "within an ATS, its Ambiti";
  EXPECT_TRUE(has(ats.body, "href=\"" + c + "?ats=MI&amp;ambito=MELZO\">Ambito di Melzo</a>")) << "each bar leads to its Ambito";
  const Reply melzo = get(c + "?ambito=MELZO&stato=mancante", "regione");
  EXPECT_TRUE(has(melzo.body, "Enti: 8.")) << "the counts are the Ambito's, whatever the state";
  EXPECT_TRUE(has(melzo.body, "stato.csv?stato=mancante&amp;ambito=MELZO\"")) << "the export carries the filter";
  EXPECT_TRUE(has(melzo.body, "stato.xlsx?stato=mancante&amp;ambito=MELZO\""));
  EXPECT_TRUE(has(melzo.body, "<option selected>mancante</option>"));
  // The consolidation offered is of what the dashboard shows: the Ambito, or the ATS, chosen.
  EXPECT_TRUE(has(melzo.body, "href=\"" + c + "/consolidato?livello=ambito&amp;ambito=MELZO\"")) << melzo.body;
  EXPECT_TRUE(has(melzo.body, "href=\"" + c + "/consolidato?livello=ambito&amp;ambito=MELZO&amp;solo_approvati=1\""));
  EXPECT_TRUE(has(melzo.body, "Scarica il consolidato: Ambito di Melzo (xlsx)"));
  EXPECT_TRUE(has(ats.body, "href=\"" + c + "/consolidato?livello=ats&amp;ats=MI\""));
  EXPECT_TRUE(has(whole.body, "href=\"" + c + "/consolidato\"")) << "no filter: the whole region";
  EXPECT_TRUE(has(get(c + "?cerca=CASSANO", "regione").body, "Cassano d&#39;Adda")) << "a name in any case";
  const Reply code = get(c + "?cerca=015059", "regione");
  EXPECT_EQ(count_of(code.body, "href=\"" + c + "/enti/"), 1u) << "an ISTAT code";
  EXPECT_TRUE(has(code.body, "Cassano d&#39;Adda"));
  EXPECT_EQ(get(c + "?stato=bocciato", "regione").status, 400);

  // The Ambito filters its own comuni only: no ATS or Ambito to choose.
  const Reply ambito = get(c, "ufficio-melzo");
  EXPECT_TRUE(has(ambito.body, "id=\"filtro-stato\""));
  EXPECT_FALSE(has(ambito.body, "id=\"filtro-ats\""));
  EXPECT_EQ(count_of(ambito.body, "href=\"" + c + "/enti/"), 8u);
  // A comune gets no dashboard.
  EXPECT_FALSE(has(get(c, "melzo").body, "id=\"filtro-stato\""));
}
