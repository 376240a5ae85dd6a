// The validation report's JSON: what to_json writes, from_json reads back.
#include <gtest/gtest.h>

#include "consolida/report_json.hpp"

namespace {

using namespace consolida;

forms::Report sample_report() {
  forms::Report report;
  report.file = "cartella/progetto \"uno\".xlsx";
  report.form_id = "premialita";
  report.form_version = "2021.1";
  forms::Issue error;
  error.code = "PREM-R14";
  error.severity = forms::Severity::error;
  error.sheet = "Scheda progetto";
  error.cell = "B131";
  error.label = "Risorse economiche › Costo totale";
  error.found = "44.000,00";
  error.message = {"il costo totale non è uguale\nalla somma", "total cost differs"};
  error.to_check = {{"Scheda progetto", "C131"}, {"Altro foglio", "B3"}};
  forms::Issue warning;
  warning.code = "PREM-R20";
  warning.severity = forms::Severity::warning;
  warning.sheet = "Scheda progetto";
  warning.message = {"solo in italiano", ""};
  report.issues = {error, warning};
  return report;
}

TEST(ReportJson, WritesTheSchemaAndReadsItBack) {
  const forms::Report report = sample_report();
  const std::string json = forms::to_json(report);
  EXPECT_NE(json.find("\"file\":\"cartella/progetto \\\"uno\\\".xlsx\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"valid\":false,\"errors\":1,\"warnings\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"severity\":\"errore\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"severity\":\"avviso\""), std::string::npos) << json;
  EXPECT_NE(json.find("uguale\\nalla"), std::string::npos) << json;
  // English falls back to Italian where a plugin gives none.
  EXPECT_NE(json.find("{\"it\":\"solo in italiano\",\"en\":\"solo in italiano\"}"), std::string::npos) << json;

  const std::optional<forms::Report> back = forms::from_json(json);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->file, report.file);
  EXPECT_EQ(back->form_version, "2021.1");
  ASSERT_EQ(back->issues.size(), 2u);
  EXPECT_EQ(back->issues[0].label, report.issues[0].label);
  EXPECT_EQ(back->issues[0].message.it, report.issues[0].message.it);
  EXPECT_NE(json.find("\"to_check\":[{\"sheet\":\"Scheda progetto\",\"cell\":\"C131\"},{\"sheet\":\"Altro foglio\",\"cell\":\"B3\"}]"),
            std::string::npos)
      << json;
  ASSERT_EQ(back->issues[0].to_check.size(), 2u);
  EXPECT_EQ(back->issues[0].to_check[1].sheet, "Altro foglio");
  EXPECT_EQ(back->issues[0].to_check[1].cell, "B3");
  EXPECT_TRUE(back->issues[1].to_check.empty());
  EXPECT_EQ(json.find("\"to_check\"", json.find("PREM-R20")), std::string::npos) << "an issue without cells to check has no key";
  EXPECT_EQ(back->issues[1].severity, forms::Severity::warning);
  EXPECT_EQ(forms::to_json(*back), json);
}

TEST(ReportJson, TheDocumentIsTheSchemaIdAndTheEntries) {
  std::ostringstream out;
  forms::ReportDocument document(out);
  document.add(sample_report());
  document.add("vecchio.xls", Error(ErrorCode::unsupported_format, "file .xls", ".xls file"));
  document.close();
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with("{\"schema\":\"consolida.validazione/1\",\"files\":[\n{\"file\":")) << text;
  EXPECT_NE(text.find(",\n{\"file\":\"vecchio.xls\",\"error\":{\"code\":\"formato-non-supportato\",\"exit\":11,"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("}}\n]}\n")) << text;
  EXPECT_EQ(forms::report_document(sample_report()),
            "{\"schema\":\"consolida.validazione/1\",\"files\":[\n" + forms::to_json(sample_report()) + "\n]}\n");
}

TEST(ReportJson, WhatIsNotAReportIsRefusedWithoutThrowing) {
  for (const std::string text : {"", "not json", "[]", "{}", "{\"issues\":{}}", "{\"issues\":[1]}",
                                 "{\"issues\":[{\"severity\":\"grave\"}]}", "{\"issues\":[{\"severity\":{}}]}"}) {
    EXPECT_FALSE(forms::from_json(text)) << text;
  }
  EXPECT_TRUE(forms::from_json("{\"issues\":[]}"));
}

}  // namespace
