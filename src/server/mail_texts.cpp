#include "server/mail_texts.hpp"

#include "common/rome_time.hpp"
#include "common/text.hpp"

namespace consolida::server {
namespace {

constexpr const char* kSeparator = "\n\n----- English -----\n\n";
constexpr const char* kFooterIt = "\nQuesto messaggio è inviato automaticamente da consolida: non rispondere.\n";
constexpr const char* kFooterEn = "\nThis message is sent automatically by consolida: do not reply.\n";

OutboxMessage message(std::string key, const std::string& recipient, std::string subject, std::string body, std::int64_t now) {
  OutboxMessage m;
  m.key = std::move(key);
  m.recipient = recipient;
  m.subject = std::move(subject);
  m.body = std::move(body);
  m.created = now;
  m.next_attempt = now;
  return m;
}

std::string link(const MailContext& about, const std::string& path) { return about.site_url.empty() ? "" : about.site_url + path; }

// "con errori bloccanti (2 errori, 1 avviso)" / "valido (nessun errore, 3 avvisi)"
std::string outcome_it(const Submission& v) {
  return std::string(v.valid ? "valido" : "con errori bloccanti") + " (" + (v.errors == 0 ? std::string("nessun errore") : counted(v.errors, "errore", "errori")) +
         ", " + counted(v.warnings, "avviso", "avvisi") + ")";
}
std::string outcome_en(const Submission& v) {
  return std::string(v.valid ? "valid" : "with blocking errors") + " (" + (v.errors == 0 ? std::string("no errors") : counted(v.errors, "error", "errors")) +
         ", " + counted(v.warnings, "warning", "warnings") + ")";
}

}  // namespace

OutboxMessage receipt_mail(const MailContext& about, const Submission& v, const std::string& recipient) {
  const Campaign& c = about.campaign;
  const std::string when = format_rome_time(v.uploaded_at), size = grouped_thousands(v.size);
  const std::string url = link(about, "/invii/" + std::to_string(v.id) + "/ricevuta");
  std::string body;
  body += "Ricevuta di invio n. " + v.protocol + "\n\n";
  body += "Campagna: " + c.name + " (" + about.form_title + ", anno " + std::to_string(c.year) + ")\n";
  body += "Ente: " + v.ente + " " + about.ente_name + "\n";
  body += "Inviato da: " + v.sender() + "\n";
  body += "Ricevuto il: " + when + " (ora italiana)" + (v.late ? ", in ritardo" : "") + "\n";
  body += "File: " + v.file_name + " (" + size + " byte)\n";
  body += "SHA-256: " + v.sha256 + "\n";
  body += "Versione: " + std::to_string(v.version) + "\n";
  body += "Esito: " + outcome_it(v) + "\n";
  if (!v.valid) body += "\nIl file non è valido: correggere gli errori indicati e inviarlo di nuovo prima della scadenza (" + format_rome_time(c.deadline) + ").\n";
  if (!url.empty()) body += "\nRicevuta ed elenco dei problemi: " + url + "\n";
  body += kFooterIt;
  body += kSeparator;
  body += "Upload receipt no. " + v.protocol + "\n\n";
  body += "Campaign: " + c.name + " (year " + std::to_string(c.year) + ")\n";
  body += "Ente: " + v.ente + " " + about.ente_name + "\n";
  body += "Sent by: " + v.sender() + "\n";
  body += "Received: " + when + " (Italian time)" + (v.late ? ", late" : "") + "\n";
  body += "File: " + v.file_name + " (" + size + " bytes)\n";
  body += "SHA-256: " + v.sha256 + "\n";
  body += "Version: " + std::to_string(v.version) + "\n";
  body += "Outcome: " + outcome_en(v) + "\n";
  if (!url.empty()) body += "\nReceipt and list of problems: " + url + "\n";
  body += kFooterEn;
  return message("ricevuta/" + v.protocol + "/" + recipient, recipient,
                 "Ricevuta " + v.protocol + ": " + c.name + ", " + about.ente_name + " (" + (v.valid ? "valido" : "con errori") + ")", body,
                 about.now);
}

namespace {

// What a reminder says of the ente's state, in Italian and English.
std::pair<std::string, std::string> reminder_status(const EnteStatus& status) {
  if (status.review_state == ReviewState::rinviato && status.review) {
    return {"Stato: la versione è stata rinviata da " + status.review->reviewer + " con questa nota: «" + status.review->note +
                "»: correggerla e inviarla di nuovo.\n",
            "Status: the version was sent back by " + status.review->reviewer + " with this note: «" + status.review->note +
                "»: correct it and send it again.\n"};
  }
  switch (status.state) {
    case EnteState::mancante: return {"Stato: nessun file ricevuto finora.\n", "Status: no file received so far.\n"};
    case EnteState::file_mancante:
      return {"Stato: il file che conta non è più sul server: inviarlo di nuovo.\n",
              "Status: the file that counts is no longer on the server: send it again.\n"};
    default:
      return {"Stato: l'ultimo file ricevuto ha errori bloccanti: correggerlo e inviarlo di nuovo.\n",
              "Status: the last file received has blocking errors: correct it and send it again.\n"};
  }
}

}  // namespace

OutboxMessage reminder_mail(const MailContext& about, const EnteStatus& status, int days, const std::string& recipient) {
  const Campaign& c = about.campaign;
  const std::string& ente = status.ente;
  const std::string deadline = format_rome_time(c.deadline);
  const std::string url = link(about, "/campagne/" + std::to_string(c.id));
  const auto [status_it, status_en] = reminder_status(status);
  const std::string left_it = days == 1 ? "manca 1 giorno" : "mancano " + std::to_string(days) + " giorni";
  const std::string left_en = days == 1 ? "1 day left" : std::to_string(days) + " days left";
  std::string body;
  body += "Promemoria: " + left_it + " alla scadenza della campagna «" + c.name + "» (" + deadline + ", ora italiana).\n\n";
  body += "Ente: " + ente + " " + about.ente_name + "\n";
  body += "Modulo: " + about.form_title + ", anno " + std::to_string(c.year) + "\n";
  body += status_it;
  if (!url.empty()) body += "\nInvio e stato: " + url + "\n";
  body += kFooterIt;
  body += kSeparator;
  body += "Reminder: " + left_en + " before the deadline of the campaign «" + c.name + "» (" + deadline + ", Italian time).\n\n";
  body += "Ente: " + ente + " " + about.ente_name + "\n";
  body += status_en;
  if (!url.empty()) body += "\nUpload and status: " + url + "\n";
  body += kFooterEn;
  return message("promemoria/" + std::to_string(c.id) + "/" + ente + "/" + std::to_string(days) + "/" + recipient, recipient,
                 "Promemoria: " + c.name + ", scadenza " + deadline + " (" + about.ente_name + ")", body, about.now);
}

OutboxMessage returned_mail(const MailContext& about, const Submission& v, const std::string& reviewer, const std::string& note,
                            std::int64_t decision_id, const std::string& recipient) {
  const Campaign& c = about.campaign;
  const std::string url = link(about, "/invii/" + std::to_string(v.id));
  std::string body;
  body += "La versione " + std::to_string(v.version) + " (ricevuta n. " + v.protocol + ") inviata per " + v.ente + " " + about.ente_name +
          " nella campagna «" + c.name + "» è stata rinviata da " + reviewer + " con questa nota:\n\n" + note + "\n\n";
  const bool after_deadline = about.now > c.deadline;
  if (after_deadline) {
    body += "La scadenza della campagna è passata, ma gli invii restano aperti per questo ente fino alla prossima decisione: correggere il "
            "file e inviarlo di nuovo.\n";
  } else {
    body += "Correggere il file e inviarlo di nuovo entro la scadenza (" + format_rome_time(c.deadline) + ", ora italiana).\n";
  }
  if (!url.empty()) body += "\nVersione e nota: " + url + "\n";
  body += kFooterIt;
  body += kSeparator;
  body += "Version " + std::to_string(v.version) + " (receipt no. " + v.protocol + ") sent for " + v.ente + " " + about.ente_name +
          " in the campaign «" + c.name + "» was sent back by " + reviewer + " with this note:\n\n" + note + "\n\n";
  if (after_deadline) {
    body += "The campaign's deadline has passed, but uploads stay open for this ente until the next decision: correct the file and send "
            "it again.\n";
  } else {
    body += "Correct the file and send it again before the deadline (" + format_rome_time(c.deadline) + ", Italian time).\n";
  }
  if (!url.empty()) body += "\nVersion and note: " + url + "\n";
  body += kFooterEn;
  return message("rinvio/" + std::to_string(decision_id) + "/" + recipient, recipient,
                 "Da correggere: " + c.name + ", " + about.ente_name + " (ricevuta " + v.protocol + ")", body, about.now);
}

}  // namespace consolida::server
