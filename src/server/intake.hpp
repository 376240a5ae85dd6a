// The application service of the upload server: who may send and see what, receiving a file
// (ente, dates, duplicate, validation, storage), the status of a campaign and its consolidation.
//
// It answers in domain outcomes with their messages in both languages; the HTTP layer
// (http_server.cpp) alone turns them into status codes and pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"
#include "consolida/server.hpp"
#include "server/registry_versions.hpp"

namespace consolida::server {

// Why a request was not carried out (or, for `stored`, that it was). Nothing is stored on a refusal.
enum class OutcomeKind {
  stored,                   // a new version was recorded
  login_required,           // no session or token, or an unknown one
  form_expired,             // a page's form without the session's CSRF token
  malformed_request,        // a body that is not the form it claims to be
  no_file,                  // the request carries no file
  too_large,                // over the upload limit
  not_an_xlsx,              // PDF, CSV, xls, ...
  unreadable,               // password-protected, broken, unknown form, outdated template
  wrong_form,               // another form than the campaign collects
  filled_for_another_ente,  // the file names another ente than the one it is sent for
  filled_for_another_year,  // the file declares another year than the campaign's
  ente_required,            // the Region must say which ente it sends for
  ente_not_allowed,         // an ente this user may not send for
  not_open_yet,             // before the campaign opens
  deadline_passed,          // after the deadline, late uploads refused
  duplicate,                // the same bytes as the ente's last version
  ente_locked,              // the ente's version was approved: reopened by its reviewer first
  review_not_allowed,       // this user does not review this ente
  review_note_required,     // a decision without its note
  review_stale,             // the version decided on no longer counts (a newer one came)
  review_needs_valid,       // only a valid version can be approved
  review_out_of_order,      // approving an approved ente, reopening one that is not approved
  not_visible,              // a version of another ente, or none: answered alike
  consolidation_not_allowed,  // comuni get no consolidation
  unknown_scope,              // the Ambito or ATS asked for does not exist
  form_not_consolidated,      // the campaign's form has no consolidation
  not_found,                // no such campaign or page
  stored_report_unreadable,
  file_missing,             // the version is recorded but its file is gone from the server
  too_many_attempts,        // logins refused for a while after repeated failures
  busy,                     // the slow work this request needs is all taken: come back soon
  internal_error,
};

struct Outcome {
  OutcomeKind kind;
  forms::Text message;
};

// An ente a campaign expects.
struct ExpectedEnte {
  std::string code;    // ISTAT code or Ambito code
  std::string name;
  std::string ambito;  // the Ambito's code
};

// One file received for a campaign, already saved at `temp_path`.
struct Upload {
  std::string requested_ente;  // the form field or X-Ente; empty: the user's own ente
  std::string temp_path;       // moved into the store when it is accepted
  std::string file_name;       // as uploaded
  std::uint64_t size = 0;
  std::int64_t now = 0;        // Unix seconds of arrival, against the campaign's dates
};

struct SubmissionView {
  Campaign campaign;
  Submission submission;
};


// Everything an ente sent for a campaign, newest first, and which version counts.
struct EnteHistory {
  ExpectedEnte ente;
  EnteStatus status;                         // as the campaign's table shows it
  std::vector<Submission> versions;          // newest first
  std::optional<std::int64_t> counts;        // id of the version that counts
  bool newer_with_errors = false;            // see CountingVersion
  std::vector<std::int64_t> without_file;    // versions whose file is gone from the server
};

// What a version's receipt shows: the version, its campaign and whose it is.
struct Receipt {
  Campaign campaign;
  Submission submission;
  std::string ente_name;
  std::string form_title;
};

class Intake {
 public:
  // `builtin` is registry version 1; campaigns opened on an imported version read theirs from the store.
  Intake(Store& store, const std::vector<forms::FormSpec>& forms, const registry::Registry& builtin);

  // The registry the campaign was opened with: its enti, its uploads' checks, its consolidation.
  const registry::Registry& registry(const Campaign& campaign) const { return registries_.of(campaign); }

  std::variant<Campaign, Outcome> campaign(std::int64_t id) const;
  // The campaign, if the user takes part in it (not_visible: a comune and a campaign of an Ambito form).
  std::variant<Campaign, Outcome> campaign(std::int64_t id, const User& user) const;
  // The campaigns the user takes part in, as the store lists them.
  std::vector<Campaign> campaigns(const User& user) const;
  // The form's Italian title, or its id when no plugin describes it.
  std::string form_title(const Campaign& campaign) const;

  // Checks the sender, the dates and the file, validates and stores it. Refusals are audited.
  std::variant<Submission, Outcome> receive(const Campaign& campaign, const User& user, const Upload& upload);

  // Every ente of the campaign the user sees, with its latest and its latest valid version.
  std::vector<EnteStatus> status(const Campaign& campaign, const User& user) const;

  // A stored version and its campaign, if the user may see them; a refused read is audited.
  std::variant<SubmissionView, Outcome> submission(std::int64_t id, const User& user);
  // An ente of the campaign with every version it sent, if the user may see it; another ente's
  // page is answered like one that does not exist (not_visible), and audited.
  std::variant<EnteHistory, Outcome> ente_history(const Campaign& campaign, const User& user, const std::string& ente);
  // The ente's name in the campaign's registry, or its code when the registry does not know it.
  std::string ente_name(const Campaign& campaign, const std::string& code) const;

  // The blank template of the campaign's form, as `consolida template` writes it, to `out`; its
  // download name ("modello-spesa-sociale-comune-2024.1.xlsx"), or not_found without the plugin.
  std::variant<std::string, Outcome> write_template(const Campaign& campaign, const std::string& out) const;
  // The download name alone (empty without the plugin).
  std::string template_name(const Campaign& campaign) const;
  // The receipt of a version the user may see; refused exactly as submission() refuses.
  std::variant<Receipt, Outcome> receipt(std::int64_t id, const User& user);
  // Where users reach the site (https://...): the links in the mails.
  void set_site_url(std::string url) { site_url_ = std::move(url); }
  const std::string& site_url() const { return site_url_; }

  // The stored validation report, named by the file name as uploaded.
  std::variant<forms::Report, Outcome> report(const Submission& submission) const;
  // Where the version's file is, or file_missing (audited) when it is gone from the server.
  std::variant<std::string, Outcome> stored_file(const Submission& submission, const User& user);
  // The uploaded file validated again into a copy that marks every problem cell.
  std::variant<std::monostate, Outcome> write_annotated(const Campaign& campaign, const Submission& submission, const User& user,
                                                        const std::string& out);

  // A decision on the version of an ente that counts: `outcome` is "approvato", "rinviato" or
  // "riaperto", `note` is required. Audited.
  // `after_decision`: the last decision the reviewer saw (0: none), when the request says it.
  std::variant<Review, Outcome> review(std::int64_t submission, const User& user, const std::string& outcome, const std::string& note,
                                       std::int64_t now, std::optional<std::int64_t> after_decision = std::nullopt);
  // Whether the user reviews the ente: its Ambito for a comune's form, the Region for every ente.
  bool reviews(const Campaign& campaign, const User& user, const std::string& ente) const;
  // The id of the ente's version that counts: the newest valid one, else the newest; 0 if none.
  std::int64_t counting_version(const Campaign& campaign, const std::string& ente) const;
  // Every decision on the ente, oldest first.
  std::vector<Review> review_history(const Campaign& campaign, const std::string& ente) const;

  // The consolidated workbook of the latest valid versions the user sees, written to `out`;
  // with approved_only, of the approved enti alone (the others are listed as missing).
  // Ambiti get their own Ambito; the Region chooses level ("ambito", "ats", "regione") and scope.
  std::variant<std::monostate, Outcome> consolidation(const Campaign& campaign, const User& user, const std::string& level,
                                                     const std::string& scope, const std::string& out, bool approved_only = false) const;

 private:
  const forms::FormSpec* form(const std::string& id) const;
  std::vector<ExpectedEnte> visible_enti(const Campaign& campaign, const User& user) const;
  // The ente as the user may see it in this campaign, or nullopt.
  std::optional<ExpectedEnte> visible_ente(const Campaign& campaign, const User& user, const std::string& ente) const;
  bool may_see(const Campaign& campaign, const User& user, const std::string& ente) const;
  // A comune sends the forms of comuni; an Ambito and the Region see every campaign.
  bool takes_part(const Campaign& campaign, const User& user) const;
  // The state of one ente from its newest version, its newest valid one and the last decision on it.
  EnteStatus status_of(ExpectedEnte expected, std::optional<Submission> latest, std::optional<Submission> latest_valid,
                       std::optional<Review> review) const;
  std::variant<std::string, Outcome> sending_ente(const Campaign& campaign, const User& user, const std::string& requested) const;
  std::variant<Submission, Outcome> check_and_store(const Campaign& campaign, const User& user, const std::string& ente,
                                                    const Upload& upload);
  bool file_present(const Submission& submission) const;
  void audit_refusal(const Campaign& campaign, const User& user, const std::string& ente, const Outcome& refusal);

  Store& store_;
  const std::vector<forms::FormSpec>& forms_;
  RegistryVersions registries_;
  std::string site_url_;
};

}  // namespace consolida::server
