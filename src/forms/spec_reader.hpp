// Reading a form description (form.json) with errors that name the file and the place inside
// it ("fields[3].type"): used by the form loader and by each rule kind for its parameters.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consolida/forms.hpp"

namespace consolida::forms {

using JsonArray = Poco::JSON::Array;
using JsonObject = Poco::JSON::Object;

// Errors name the file and the place inside it ("fields[3].type").
class SpecReader {
 public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& it, const std::string& en) const {
    throw Error(ErrorCode::invalid_plugin, "descrizione del modulo non valida, " + where + ": " + it,
                "invalid form description, " + where + ": " + en, ErrorLocation{file_, {}, {}, 0, 0});
  }

  std::string string(const JsonObject::Ptr& o, const std::string& key, const std::string& where, bool required = false) const {
    if (!o->has(key) || o->isNull(key)) {
      if (required) fail(where, "manca \"" + key + "\"", "\"" + key + "\" is missing");
      return {};
    }
    try {
      return o->getValue<std::string>(key);
    } catch (const Poco::Exception&) {
      fail(where + "." + key, "deve essere un testo", "must be a string");
    }
  }

  Text text(const JsonObject::Ptr& o, const std::string& key, const std::string& where, bool required = false) const {
    Text out;
    if (!o->has(key)) {
      if (required) fail(where, "manca \"" + key + "\"", "\"" + key + "\" is missing");
      return out;
    }
    if (o->isObject(key)) {
      const auto inner = o->getObject(key);
      out.it = string(inner, "it", where + "." + key, true);
      out.en = string(inner, "en", where + "." + key);
    } else {
      out.it = string(o, key, where);
    }
    return out;
  }

  std::optional<std::int64_t> integer(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    if (!o->has(key)) return std::nullopt;
    try {
      return o->getValue<std::int64_t>(key);
    } catch (const Poco::Exception&) {
      fail(where + "." + key, "deve essere un numero intero", "must be an integer");
    }
  }

  bool boolean(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    if (!o->has(key)) return false;
    try {
      return o->getValue<bool>(key);
    } catch (const Poco::Exception&) {
      fail(where + "." + key, "deve essere true o false", "must be true or false");
    }
  }

  std::optional<values::Date> date(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    const std::string text = string(o, key, where);
    if (text.empty()) return std::nullopt;
    const auto parsed = values::parse_date_text(text);
    if (!parsed.ok()) fail(where + "." + key, "data non valida: " + text, "invalid date: " + text);
    return parsed.value;
  }

  // An optional fixed position, "B5".
  std::string cell(const JsonObject::Ptr& o, const std::string& where) const {
    const std::string text = string(o, "cell", where);
    if (!text.empty() && !xlsx::parse_a1(text)) {
      fail(where + ".cell", "riferimento di cella non valido \"" + text + "\"", "invalid cell reference \"" + text + "\"");
    }
    return text;
  }

  JsonArray::Ptr array(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    if (!o->has(key)) return nullptr;
    if (!o->isArray(key)) fail(where + "." + key, "deve essere un elenco [...]", "must be an array [...]");
    return o->getArray(key);
  }

  // An optional list of texts.
  std::vector<std::string> strings(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    std::vector<std::string> out;
    const JsonArray::Ptr items = array(o, key, where);
    if (!items) return out;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const Poco::Dynamic::Var item = items->get(static_cast<unsigned>(i));
      if (!item.isString()) fail(where + "." + key + "[" + std::to_string(i) + "]", "deve essere un testo", "must be a text");
      out.push_back(item.extract<std::string>());
    }
    return out;
  }

  JsonObject::Ptr object(const JsonObject::Ptr& o, const std::string& key, const std::string& where) const {
    if (!o->has(key)) return nullptr;
    if (!o->isObject(key)) fail(where + "." + key, "deve essere un oggetto {...}", "must be an object {...}");
    return o->getObject(key);
  }

  JsonObject::Ptr object_at(const JsonArray::Ptr& a, std::size_t i, const std::string& where) const {
    if (!a->isObject(static_cast<unsigned>(i))) fail(where, "deve essere un oggetto {...}", "must be an object {...}");
    return a->getObject(static_cast<unsigned>(i));
  }

  FieldType type(const std::string& text, const std::string& where) const {
    static const std::map<std::string, FieldType> types = {
        {"text", FieldType::text},     {"integer", FieldType::integer}, {"decimal", FieldType::decimal},
        {"amount", FieldType::amount}, {"percent", FieldType::percent}, {"date", FieldType::date},
        {"yes_no", FieldType::yes_no}, {"choice", FieldType::choice},   {"multi_choice", FieldType::multi_choice}};
    const auto it = types.find(text.empty() ? "text" : text);
    if (it == types.end()) {
      fail(where + ".type", "tipo sconosciuto \"" + text + "\"", "unknown type \"" + text + "\"");
    }
    return it->second;
  }

  void value_spec(const JsonObject::Ptr& o, const std::string& where, ValueSpec& spec) const {
    spec.id = string(o, "id", where, true);
    spec.label = text(o, "label", where, true);
    spec.help = text(o, "help", where);
    spec.type = type(string(o, "type", where), where);
    spec.required = boolean(o, "required", where);
    if (auto words = integer(o, "max_words", where)) spec.max_words = static_cast<std::size_t>(*words);
    spec.min = integer(o, "min", where);
    spec.max = integer(o, "max", where);
    spec.min_date = date(o, "min_date", where);
    spec.max_date = date(o, "max_date", where);
    spec.list = string(o, "list", where);
    spec.long_text = boolean(o, "long_text", where);
    spec.cell = cell(o, where);
    spec.statuses = strings(o, "statuses", where);
    if ((spec.type == FieldType::choice || spec.type == FieldType::multi_choice) && spec.list.empty()) {
      fail(where, "un campo \"" + std::string(to_string(spec.type)) + "\" richiede \"list\"",
           "a \"" + std::string(to_string(spec.type)) + "\" field needs \"list\"");
    }
  }

 private:
  std::string file_;
};

}  // namespace consolida::forms
