#include "server/intake.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/digest.hpp"
#include "common/file_name.hpp"
#include "common/rome_time.hpp"
#include "common/text.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/report_json.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "server/mail_texts.hpp"

namespace consolida::server {
namespace {

Outcome duplicate_of(int version) {
  return {OutcomeKind::duplicate,
          {"file identico all'ultima versione inviata (versione " + std::to_string(version) + ")",
           "same file as the last version sent (version " + std::to_string(version) + ")"}};
}

Outcome locked_by(const Review& approval) {
  const std::string when = format_rome_time(approval.at);
  return {OutcomeKind::ente_locked,
          {"versione approvata da " + approval.reviewer + " il " + when + ": per inviarne un'altra chiedere di riaprire l'invio",
           "version approved by " + approval.reviewer + " on " + when + ": ask for the upload to be reopened to send another"}};
}

// A decision's note is shown to the ente and kept in the audit: some lines, not a document.
constexpr std::size_t kMaxNoteChars = 4000;

bool comune_form(const forms::FormSpec* form) { return form && form->consolidation.ente == forms::ConsolidationSpec::Ente::comune; }

const char* const kFileMissing = "file mancante sul server: inviare di nuovo";

// On whose behalf the user sends for `ente`: empty when it is the user's own.
std::string on_behalf(const User& user, const std::string& ente) {
  if (user.role == Role::regione) return "Regione";
  if (user.role == Role::ambito && ente != user.ente) return "Ambito " + user.ente;
  return "";
}

}  // namespace

Intake::Intake(Store& store, const std::vector<forms::FormSpec>& forms, const registry::Registry& builtin)
    : store_(store), forms_(forms), registries_(store, builtin) {}

const forms::FormSpec* Intake::form(const std::string& id) const {
  for (const forms::FormSpec& f : forms_) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

std::variant<Campaign, Outcome> Intake::campaign(std::int64_t id) const {
  if (std::optional<Campaign> found = store_.campaign(id)) return *found;
  return Outcome{OutcomeKind::not_found, {"pagina non trovata", "page not found"}};
}

std::variant<Campaign, Outcome> Intake::campaign(std::int64_t id, const User& user) const {
  std::variant<Campaign, Outcome> found = campaign(id);
  if (const Campaign* c = std::get_if<Campaign>(&found); c && !takes_part(*c, user)) {
    return Outcome{OutcomeKind::not_visible, {"questa campagna non riguarda il suo ente", "this campaign is not for your ente"}};
  }
  return found;
}

std::vector<Campaign> Intake::campaigns(const User& user) const {
  std::vector<Campaign> out = store_.campaigns();
  std::erase_if(out, [&](const Campaign& c) { return !takes_part(c, user); });
  return out;
}

std::string Intake::form_title(const Campaign& campaign) const {
  const forms::FormSpec* f = form(campaign.form_id);
  return f ? f->title.it : campaign.form_id;
}

// ---- who may see and send what ----

namespace {

// Whether `user` sees the ente `code` of the Ambito `ambito` (an Ambito form: its own code).
bool in_scope(const User& user, const std::string& code, const std::string& ambito) {
  switch (user.role) {
    case Role::regione:
      return true;
    case Role::ambito:
      return ambito == user.ente;
    case Role::comune:
      return code == user.ente;
  }
  return false;
}

}  // namespace

std::vector<ExpectedEnte> Intake::visible_enti(const Campaign& campaign, const User& user) const {
  std::vector<ExpectedEnte> out;
  const registry::Registry& enti = registry(campaign);
  const auto& ambiti = enti.ambiti();
  if (comune_form(form(campaign.form_id))) {
    for (const registry::Comune& comune : enti.comuni()) {
      const std::string& ambito = ambiti[comune.ambito].code;
      if (in_scope(user, comune.istat, ambito)) out.push_back({comune.istat, comune.name, ambito});
    }
  } else {
    for (const registry::Ambito& ambito : ambiti) {
      if (in_scope(user, ambito.code, ambito.code)) out.push_back({ambito.code, ambito.name, ambito.code});
    }
  }
  return out;
}

// One lookup, not the list of every visible ente: it is asked on every upload and read.
std::optional<ExpectedEnte> Intake::visible_ente(const Campaign& campaign, const User& user, const std::string& ente) const {
  const registry::Registry& enti = registry(campaign);
  if (comune_form(form(campaign.form_id))) {
    const registry::Comune* comune = enti.comune_by_istat(ente);
    if (!comune || comune->istat != ente) return std::nullopt;
    const std::string& ambito = enti.ambiti()[comune->ambito].code;
    if (!in_scope(user, ente, ambito)) return std::nullopt;
    return ExpectedEnte{comune->istat, comune->name, ambito};
  }
  const registry::Ambito* ambito = enti.ambito_by_code(ente);
  if (!ambito || ambito->code != ente || !in_scope(user, ente, ente)) return std::nullopt;
  return ExpectedEnte{ambito->code, ambito->name, ambito->code};
}

bool Intake::may_see(const Campaign& campaign, const User& user, const std::string& ente) const {
  return visible_ente(campaign, user, ente).has_value();
}

bool Intake::takes_part(const Campaign& campaign, const User& user) const {
  return user.role != Role::comune || may_see(campaign, user, user.ente);
}

std::variant<std::string, Outcome> Intake::sending_ente(const Campaign& campaign, const User& user, const std::string& requested) const {
  const std::string ente = requested.empty() ? user.ente : requested;
  if (user.role == Role::comune && ente != user.ente) {
    return Outcome{OutcomeKind::ente_not_allowed, {"un Comune può inviare solo i propri file", "a comune can only send its own files"}};
  }
  if (user.role == Role::regione && requested.empty()) {
    return Outcome{OutcomeKind::ente_required,
                   {"indicare l'ente per cui si invia (campo «ente»)", "name the ente you send for (field «ente»)"}};
  }
  // An Ambito sends a comune's form on the comune's behalf (the help desk does): it names which.
  if (user.role == Role::ambito && requested.empty() && comune_form(form(campaign.form_id))) {
    return Outcome{OutcomeKind::ente_required,
                   {"indicare il Comune per cui l'Ambito invia (campo «ente»)", "name the comune the Ambito sends for (field «ente»)"}};
  }
  if (!may_see(campaign, user, ente)) {
    return Outcome{OutcomeKind::ente_not_allowed,
                   {"l'ente «" + ente + "» non è tra quelli che questo utente può inviare per questa campagna",
                    "ente «" + ente + "» is not one this user may send for in this campaign"}};
  }
  return ente;
}

// ---- the upload itself ----

std::variant<Submission, Outcome> Intake::receive(const Campaign& campaign, const User& user, const Upload& upload) {
  const auto ente = sending_ente(campaign, user, upload.requested_ente);
  if (const Outcome* refusal = std::get_if<Outcome>(&ente)) {
    audit_refusal(campaign, user, upload.requested_ente, *refusal);
    return *refusal;
  }
  const std::string& code = std::get<std::string>(ente);
  auto outcome = check_and_store(campaign, user, code, upload);
  if (const Outcome* refusal = std::get_if<Outcome>(&outcome)) audit_refusal(campaign, user, code, *refusal);
  return outcome;
}

void Intake::audit_refusal(const Campaign& campaign, const User& user, const std::string& ente, const Outcome& refusal) {
  store_.audit(user.username, "invio", campaign.id, ente, "", "rifiutato", refusal.message.it);
}

std::variant<Submission, Outcome> Intake::check_and_store(const Campaign& campaign, const User& user, const std::string& ente,
                                                          const Upload& upload) {
  std::string bytes = xlsx::read_file_at_most(upload.temp_path, upload.size).value_or(std::string());
  const std::string sha = sha256_hex(bytes);
  // A resend of the last version is refused before validating it (and checked again when stored),
  // unless its file went missing from the server: the same bytes then put it back, after the
  // deadline too (the version was received in time; only its copy here was lost).
  const std::optional<Review> last_decision = store_.last_review(campaign.id, ente);
  if (const auto previous = store_.latest(campaign.id, ente); previous && previous->sha256 == sha) {
    // An approved ente is told so first: that is what stands between it and a new version.
    if (file_present(*previous)) return locks(last_decision) ? locked_by(*last_decision) : duplicate_of(previous->version);
    store_.restore_file(sha, upload.temp_path);
    store_.audit(user.username, "ripristino", campaign.id, ente, sha, "ripristinato",
                 "file della versione " + std::to_string(previous->version) + " inviato di nuovo");
    return *previous;
  }
  // Before validating: an approved ente's file would be refused anyway (and is, in the store).
  if (locks(last_decision)) return locked_by(*last_decision);
  if (upload.now < campaign.opens_at) {
    return Outcome{OutcomeKind::not_open_yet,
                   {"la campagna apre il " + format_rome_time(campaign.opens_at), "the campaign opens on " + format_rome_time(campaign.opens_at)}};
  }
  // Reviews come after the deadline: an ente sent back answers until the next decision, and its
  // answer is not late (the reviewer asked for it; the review history says when).
  const bool sent_back = last_decision && last_decision->outcome == ReviewOutcome::rinviato;
  const bool late = upload.now > campaign.deadline && !sent_back;
  if (late && campaign.late == LatePolicy::refuse) {
    return Outcome{OutcomeKind::deadline_passed,
                   {"scadenza passata (" + format_rome_time(campaign.deadline) + "): invii chiusi",
                    "deadline passed (" + format_rome_time(campaign.deadline) + "): uploads closed"}};
  }
  const forms::FormSpec* spec = form(campaign.form_id);
  forms::TypedForm read;
  forms::Report report;
  try {
    report = forms::validate_bytes(std::move(bytes), upload.file_name, forms_, registry(campaign), campaign.form_id, &read);
  } catch (const Error& e) {
    const bool format = e.code() == ErrorCode::unsupported_format;
    return Outcome{format ? OutcomeKind::not_an_xlsx : OutcomeKind::unreadable, {e.message(Lang::it), e.message(Lang::en)}};
  }
  if (report.form_id != campaign.form_id || !spec) {
    return Outcome{OutcomeKind::wrong_form,
                   {"il file è il modulo «" + report.form_id + "», questa campagna raccoglie «" + campaign.form_id + "»",
                    "the file is form «" + report.form_id + "», this campaign collects «" + campaign.form_id + "»"}};
  }
  // A file that names no known ente is taken: its validation report says what is wrong with it.
  const consolidate::EnteIdentification declared = consolidate::identify_ente(*spec, read.instance(), registry(campaign));
  if (declared.ente && declared.ente->code != ente) {
    return Outcome{OutcomeKind::filled_for_another_ente,
                   {"il file è compilato per l'ente " + declared.ente->code + ", non per " + ente,
                    "the file is filled in for ente " + declared.ente->code + ", not " + ente}};
  }
  // Likewise a file of another year: its figures belong to another campaign.
  if (const std::optional<forms::Issue> wrong_year = forms::year_mismatch(read, campaign.year)) {
    return Outcome{OutcomeKind::filled_for_another_year,
                   {"foglio «" + wrong_year->sheet + "», cella " + wrong_year->cell + ": " + wrong_year->message.it,
                    "sheet «" + wrong_year->sheet + "», cell " + wrong_year->cell + ": " + wrong_year->message.en}};
  }
  Submission draft;
  draft.campaign = campaign.id;
  draft.ente = ente;
  draft.sha256 = sha;
  draft.size = upload.size;
  draft.file_name = upload.file_name;
  draft.uploaded_by = user.username;
  draft.on_behalf = on_behalf(user, ente);
  draft.uploaded_at = upload.now;
  draft.valid = report.valid();
  draft.late = late;
  draft.errors = static_cast<int>(report.errors());
  draft.warnings = static_cast<int>(report.warnings());
  draft.report_json = forms::to_json(report);
  // The receipt mail to the sender, committed with the version or not at all.
  const std::string address = store_.email(user.username);
  Store::MailsFor receipt;
  if (!address.empty()) {
    receipt = [&](const Submission& version) {
      const MailContext about{campaign, spec->title.it, ente_name(campaign, ente), site_url_, upload.now};
      return std::vector<OutboxMessage>{receipt_mail(about, version, address)};
    };
  }
  std::variant<Submission, NotStored> stored = store_.add_submission(draft, upload.temp_path, receipt);
  if (Submission* added = std::get_if<Submission>(&stored)) return *added;
  if (std::get<NotStored>(stored) == NotStored::locked) return locked_by(store_.last_review(campaign.id, ente).value_or(Review{}));
  return duplicate_of(store_.latest(campaign.id, ente).value_or(draft).version);
}

// ---- what has been received ----

namespace {

ReviewState review_state(const EnteStatus& status) {
  if (!status.latest) return ReviewState::nessuna;
  if (!status.review) return ReviewState::da_rivedere;
  switch (status.review->outcome) {
    case ReviewOutcome::approvato: return ReviewState::approvato;
    // Until the ente answers with a version sent after the decision.
    case ReviewOutcome::rinviato: return status.latest->id <= status.review->newest_seen ? ReviewState::rinviato : ReviewState::da_rivedere;
    case ReviewOutcome::riaperto: return ReviewState::da_rivedere;
  }
  return ReviewState::da_rivedere;
}

}  // namespace

EnteStatus Intake::status_of(ExpectedEnte expected, std::optional<Submission> latest, std::optional<Submission> latest_valid,
                             std::optional<Review> review) const {
  EnteStatus status;
  status.ente = std::move(expected.code);
  status.name = std::move(expected.name);
  status.ambito = std::move(expected.ambito);
  if (latest) status.versions = latest->version;
  status.latest = std::move(latest);
  status.latest_valid = std::move(latest_valid);
  status.state = status.latest_valid ? (status.latest_valid->late ? EnteState::in_ritardo : EnteState::valido)
                 : status.latest     ? EnteState::con_errori
                                     : EnteState::mancante;
  // The version that counts, recorded but without its file: neither valid nor missing.
  const std::optional<Submission>& counts = status.latest_valid ? status.latest_valid : status.latest;
  if (counts && !file_present(*counts)) status.state = EnteState::file_mancante;
  status.review = std::move(review);
  status.review_state = review_state(status);
  return status;
}

std::vector<EnteStatus> Intake::status(const Campaign& campaign, const User& user) const {
  std::map<std::string, Submission> latest, latest_valid;
  std::map<std::string, Review> reviews = store_.last_reviews(campaign.id);
  for (Submission& s : store_.latest_per_ente(campaign.id, false)) latest.emplace(s.ente, std::move(s));
  for (Submission& s : store_.latest_per_ente(campaign.id, true)) latest_valid.emplace(s.ente, std::move(s));
  // Each ente once: its versions are moved out of the maps, not copied (7,900 enti for all of Italy).
  const auto take = [](auto& from, const std::string& ente) {
    using Value = typename std::remove_reference_t<decltype(from)>::mapped_type;
    const auto it = from.find(ente);
    return it == from.end() ? std::optional<Value>() : std::optional<Value>(std::move(it->second));
  };
  std::vector<EnteStatus> out;
  for (ExpectedEnte& expected : visible_enti(campaign, user)) {
    const std::string ente = expected.code;
    out.push_back(status_of(std::move(expected), take(latest, ente), take(latest_valid, ente), take(reviews, ente)));
  }
  return out;
}

std::variant<SubmissionView, Outcome> Intake::submission(std::int64_t id, const User& user) {
  const std::optional<Submission> found = store_.submission(id);
  const std::optional<Campaign> campaign = found ? store_.campaign(found->campaign) : std::nullopt;
  // Another ente's version is answered exactly like a missing one.
  if (!found || !campaign || !may_see(*campaign, user, found->ente)) {
    if (found) store_.audit(user.username, "lettura", found->campaign, found->ente, "", "rifiutato", "versione di un altro ente");
    return Outcome{OutcomeKind::not_visible, {"versione non accessibile a questo utente", "version not accessible to this user"}};
  }
  return SubmissionView{*campaign, *found};
}

// ---- one ente's versions, the template ----


std::variant<EnteHistory, Outcome> Intake::ente_history(const Campaign& campaign, const User& user, const std::string& ente) {
  std::optional<ExpectedEnte> expected = visible_ente(campaign, user, ente);
  if (!expected) {
    store_.audit(user.username, "lettura", campaign.id, utf8_prefix(ente, 64), "", "rifiutato", "pagina di un altro ente");
    return Outcome{OutcomeKind::not_visible, {"ente non accessibile a questo utente", "ente not accessible to this user"}};
  }
  EnteHistory history;
  history.ente = *expected;
  history.versions = store_.submissions(campaign.id, ente);
  std::sort(history.versions.begin(), history.versions.end(), [](const Submission& a, const Submission& b) { return a.version > b.version; });
  // The same rule as the campaign's table, so that both pages always tell the same state.
  std::optional<Submission> latest, latest_valid;
  for (const Submission& s : history.versions) {
    if (!latest) latest = s;
    if (s.valid && !latest_valid) latest_valid = s;
  }
  history.status = status_of(std::move(*expected), std::move(latest), std::move(latest_valid), store_.last_review(campaign.id, ente));
  const CountingVersion counting = which_counts(history.versions);
  if (counting.counts) history.counts = counting.counts->id;
  history.newer_with_errors = counting.newer_with_errors;
  for (const Submission& s : history.versions) {
    if (!file_present(s)) history.without_file.push_back(s.id);
  }
  return history;
}

std::variant<Receipt, Outcome> Intake::receipt(std::int64_t id, const User& user) {
  const auto visible = submission(id, user);
  if (const Outcome* refusal = std::get_if<Outcome>(&visible)) return *refusal;
  const SubmissionView& view = std::get<SubmissionView>(visible);
  return Receipt{view.campaign, view.submission, ente_name(view.campaign, view.submission.ente), form_title(view.campaign)};
}

std::string Intake::ente_name(const Campaign& campaign, const std::string& code) const {
  const registry::Registry& enti = registry(campaign);
  if (const registry::Comune* comune = enti.comune_by_istat(code); comune && comune->istat == code) return comune->name;
  if (const registry::Ambito* ambito = enti.ambito_by_code(code); ambito && ambito->code == code) return ambito->name;
  return code;
}

std::string Intake::template_name(const Campaign& campaign) const {
  const forms::FormSpec* spec = form(campaign.form_id);
  return spec ? "modello-" + spec->id + "-" + spec->version + ".xlsx" : std::string();
}

std::variant<std::string, Outcome> Intake::write_template(const Campaign& campaign, const std::string& out) const {
  const forms::FormSpec* spec = form(campaign.form_id);
  if (!spec) {
    return Outcome{OutcomeKind::not_found, {"il modello del modulo «" + campaign.form_id + "» non è disponibile su questo server",
                                            "the template of form «" + campaign.form_id + "» is not available on this server"}};
  }
  write::write_template(*spec, out);
  return template_name(campaign);
}

std::variant<forms::Report, Outcome> Intake::report(const Submission& submission) const {
  std::optional<forms::Report> report = forms::from_json(submission.report_json);
  if (!report) {
    return Outcome{OutcomeKind::stored_report_unreadable,
                   {"il rapporto di validazione di questa versione non è leggibile", "the validation report of this version cannot be read"}};
  }
  // Reports stored before the schema carry no file name.
  report->file = submission.file_name;
  return *report;
}

bool Intake::file_present(const Submission& submission) const {
  std::error_code error;
  return std::filesystem::is_regular_file(store_.file_path(submission.sha256), error);
}

std::variant<std::string, Outcome> Intake::stored_file(const Submission& submission, const User& user) {
  if (file_present(submission)) return store_.file_path(submission.sha256);
  store_.audit(user.username, "lettura", submission.campaign, submission.ente, submission.sha256, "file mancante",
               "versione " + std::to_string(submission.version));
  const std::string version = std::to_string(submission.version);
  return Outcome{OutcomeKind::file_missing,
                 {std::string(kFileMissing) + " (versione " + version + " di " + submission.ente + ")",
                  "file missing on the server: send it again (version " + version + " of " + submission.ente + ")"}};
}

std::variant<std::monostate, Outcome> Intake::write_annotated(const Campaign& campaign, const Submission& submission, const User& user,
                                                              const std::string& out) {
  const auto path = stored_file(submission, user);
  if (const Outcome* missing = std::get_if<Outcome>(&path)) return *missing;
  forms::TypedForm read;
  const forms::Report report = forms::validate_file(std::get<std::string>(path), forms_, registry(campaign), campaign.form_id, &read);
  write::write_annotated(read, report, out, Lang::it);
  return std::monostate{};
}

bool Intake::reviews(const Campaign& campaign, const User& user, const std::string& ente) const {
  if (user.role == Role::regione) return true;
  if (user.role != Role::ambito || !comune_form(form(campaign.form_id))) return false;
  const registry::Registry& enti = registry(campaign);
  const registry::Comune* comune = enti.comune_by_istat(ente);
  return comune && comune->istat == ente && enti.ambiti()[comune->ambito].code == user.ente;
}

std::int64_t Intake::counting_version(const Campaign& campaign, const std::string& ente) const {
  return version_to_decide(store_.submissions(campaign.id, ente));
}

std::vector<Review> Intake::review_history(const Campaign& campaign, const std::string& ente) const { return store_.reviews(campaign.id, ente); }

std::variant<Review, Outcome> Intake::review(std::int64_t submission, const User& user, const std::string& outcome, const std::string& note,
                                             std::int64_t now, std::optional<std::int64_t> after_decision) {
  const auto visible = this->submission(submission, user);
  if (const Outcome* refusal = std::get_if<Outcome>(&visible)) return *refusal;
  const auto& [campaign, version] = std::get<SubmissionView>(visible);
  const auto refuse = [&](OutcomeKind kind, forms::Text message) {
    Outcome refusal{kind, std::move(message)};
    store_.audit(user.username, "revisione", campaign.id, version.ente, "", "rifiutato", refusal.message.it);
    return refusal;
  };
  if (!reviews(campaign, user, version.ente)) {
    return refuse(OutcomeKind::review_not_allowed, {"la revisione di questo ente spetta al suo Ambito o alla Regione",
                                                    "this ente is reviewed by its Ambito or the Region"});
  }
  const std::optional<ReviewOutcome> decided = parse_review_outcome(outcome);
  if (!decided) {
    return refuse(OutcomeKind::malformed_request, {"esito della revisione sconosciuto «" + utf8_prefix(outcome, 64) + "»: approvato, rinviato o riaperto",
                                                   "unknown review outcome «" + utf8_prefix(outcome, 64) + "»: approvato, rinviato or riaperto"});
  }
  const std::optional<std::string> typed = typed_text(note);
  if (!typed) {
    return refuse(OutcomeKind::malformed_request, {"la nota contiene caratteri non validi (non è testo UTF-8 o ha caratteri di controllo)",
                                                   "the note holds invalid characters (not UTF-8 text, or control characters)"});
  }
  const std::string trimmed = trim(*typed);
  if (trimmed.empty()) {
    return refuse(OutcomeKind::review_note_required, {"scrivere una nota per l'ente: cosa va bene o cosa correggere",
                                                      "write a note for the ente: what is fine or what to correct"});
  }
  // Counted in characters, as the page's field counts them.
  if (utf8_length(trimmed) > kMaxNoteChars) {
    return refuse(OutcomeKind::malformed_request, {"nota troppo lunga (oltre 4.000 caratteri)", "note too long (over 4,000 characters)"});
  }
  if (*decided == ReviewOutcome::approvato && !version.valid) {
    return refuse(OutcomeKind::review_needs_valid, {"si può approvare solo una versione valida: questa ha errori",
                                                    "only a valid version can be approved: this one has errors"});
  }
  if (*decided == ReviewOutcome::approvato && !file_present(version)) {
    return refuse(OutcomeKind::review_needs_valid, {"il file di questa versione non è più sul server: l'ente deve inviarlo di nuovo prima "
                                                    "dell'approvazione",
                                                    "this version's file is no longer on the server: the ente must send it again before it "
                                                    "can be approved"});
  }
  Review draft;
  draft.campaign = campaign.id;
  draft.ente = version.ente;
  draft.submission = version.id;
  draft.outcome = *decided;
  draft.note = trimmed;
  draft.reviewer = user.username;
  draft.at = now;
  // Sent back: each address of the ente hears it, committed with the decision or not at all.
  Store::ReviewMails returned;
  if (*decided == ReviewOutcome::rinviato) {
    const auto addresses = store_.addresses_by_ente();
    if (const auto found = addresses.find(version.ente); found != addresses.end()) {
      returned = [&, recipients = found->second](const Review& stored) {
        const MailContext about{campaign, form_title(campaign), ente_name(campaign, version.ente), site_url_, now};
        std::vector<OutboxMessage> out;
        for (const std::string& address : recipients) out.push_back(returned_mail(about, version, user.username, stored.note, stored.id, address));
        return out;
      };
    }
  }
  std::variant<Review, ReviewRefused> added = store_.add_review(draft, after_decision, returned);
  if (Review* stored = std::get_if<Review>(&added)) return *stored;
  switch (std::get<ReviewRefused>(added)) {
    case ReviewRefused::stale:
      return refuse(OutcomeKind::review_stale,
                    {"questa non è la versione che conta per l'ente (la più recente senza errori bloccanti, altrimenti la più recente): "
                     "decidere su quella, dalla pagina dell'ente",
                     "this is not the ente's version that counts (the newest without blocking errors, else the newest): decide on that "
                     "one, from the ente's page"});
    case ReviewRefused::overtaken: {
      const Review last = store_.last_review(campaign.id, version.ente).value_or(Review{});
      const std::string when = format_rome_time(last.at), what = std::string(to_string(last.outcome));
      return refuse(OutcomeKind::review_stale, {"nel frattempo " + last.reviewer + " ha deciso su questo ente (" + what + ", " + when +
                                                    "): rileggere la pagina prima di decidere",
                                                "meanwhile " + last.reviewer + " decided on this ente (" + what + ", " + when +
                                                    "): read the page again before deciding"});
    }
    case ReviewRefused::already_approved:
      return refuse(OutcomeKind::review_out_of_order, {"l'ente è già approvato", "the ente is already approved"});
    case ReviewRefused::not_approved:
      break;
  }
  return refuse(OutcomeKind::review_out_of_order, {"si riapre solo un ente approvato", "only an approved ente can be reopened"});
}

std::variant<std::monostate, Outcome> Intake::consolidation(const Campaign& campaign, const User& user, const std::string& level,
                                                           const std::string& scope, const std::string& out, bool approved_only) const {
  if (user.role == Role::comune) {
    return Outcome{OutcomeKind::consolidation_not_allowed,
                   {"il consolidato è per gli Ambiti e la Regione", "the consolidation is for Ambiti and the Region"}};
  }
  consolidate::Options options;
  options.threads = 2;
  if (user.role == Role::ambito) {
    options.level = consolidate::Level::ambito;
    options.scope = user.ente;
  } else {
    const std::optional<consolidate::Level> parsed = consolidate::parse_level(level.empty() ? "regione" : level);
    if (!parsed) {
      const std::string named = utf8_prefix(level, 64);
      return Outcome{OutcomeKind::malformed_request, {"livello di consolidamento sconosciuto «" + named + "»: ambito, ats o regione",
                                                      "unknown consolidation level «" + named + "»: ambito, ats or regione"}};
    }
    options.level = *parsed;
    options.scope = scope;
  }
  // The stored copies, each named as its ente sent it, with who sent it and when: the workbook
  // never shows a path of the server.
  std::vector<consolidate::Source> files;
  std::set<std::string> without_file, not_approved, sent_back;
  for (const EnteStatus& s : status(campaign, user)) {
    if (s.state == EnteState::file_mancante) without_file.insert(s.ente);
    if (!s.latest_valid || s.state == EnteState::file_mancante) continue;
    if (approved_only && s.review_state != ReviewState::approvato) {
      (s.review_state == ReviewState::rinviato ? sent_back : not_approved).insert(s.ente);
      continue;
    }
    const Submission& v = *s.latest_valid;
    files.push_back({store_.file_path(v.sha256), v.file_name, v.sender(), v.uploaded_at});
  }
  try {
    consolidate::Result result = consolidate::consolidate(files, forms_, campaign.form_id, options, registry(campaign));
    for (consolidate::Missing& missing : result.missing) {
      if (without_file.count(missing.code)) missing.reason_it = kFileMissing;
      if (not_approved.count(missing.code)) missing.reason_it = "versione valida non ancora approvata";
      if (sent_back.count(missing.code)) missing.reason_it = "rinviata all'ente per correzioni";
    }
    write::write_consolidated(result, out);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::not_found) return Outcome{OutcomeKind::unknown_scope, {e.message(Lang::it), e.message(Lang::en)}};
    if (e.code() == ErrorCode::form_unknown) return Outcome{OutcomeKind::form_not_consolidated, {e.message(Lang::it), e.message(Lang::en)}};
    throw;
  }
  return std::monostate{};
}

}  // namespace consolida::server
