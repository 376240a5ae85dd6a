#include "xlsx/xml_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

using consolida::Error;
using consolida::ErrorCode;
using consolida::xlsx::ByteSource;
using consolida::xlsx::Limits;
using consolida::xlsx::XmlReader;
using Event = XmlReader::Event;

namespace {

// Hands out at most `chunk` bytes per read, so tokens straddle buffer refills.
class ChunkedSource final : public ByteSource {
 public:
  ChunkedSource(std::string data, std::size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  std::size_t read(char* buffer, std::size_t n) override {
    const std::size_t take = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(buffer, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

// Renders the event stream compactly: "<a x=1>", "'text'", "</a>".
std::string trace(const std::string& xml, std::size_t chunk = 1 << 20, const Limits& limits = {}) {
  ChunkedSource source(xml, chunk);
  XmlReader reader(source, limits);
  std::string out;
  for (Event e = reader.next(); e != Event::eof; e = reader.next()) {
    if (e == Event::start) {
      out += "<" + std::string(reader.name());
      if (reader.has_attr("x")) out += " x=" + std::string(reader.attr("x"));
      out += ">";
    } else if (e == Event::end) {
      out += "</" + std::string(reader.name()) + ">";
    } else {
      out += "'" + std::string(reader.text()) + "'";
    }
  }
  return out;
}

ErrorCode error_of(const std::string& xml, const Limits& limits = {}, std::size_t chunk = 1 << 20) {
  try {
    trace(xml, chunk, limits);
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no error for: " << xml.substr(0, 80);
  return ErrorCode::io;
}

}  // namespace

TEST(XmlReader, ReadsElementsAttributesAndText) {
  EXPECT_EQ(trace("<?xml version=\"1.0\"?><a x='1'><b>hi</b><c/></a>"), "<a x=1><b>'hi'</b><c></c></a>");
}

TEST(XmlReader, StripsNamespacePrefixes) {
  EXPECT_EQ(trace("<x:a xmlns:x='u'><x:b x='2'/></x:a>"), "<a><b x=2></b></a>");
}

TEST(XmlReader, DecodesEntitiesAndCharacterReferences) {
  EXPECT_EQ(trace("<a>&lt;&amp;&gt;&quot;&apos;&#233;&#x20AC;</a>"), "<a>'<&>\"'\xC3\xA9\xE2\x82\xAC'</a>");
  EXPECT_EQ(trace("<a x='&amp;&#10;'/>"), "<a x=&\n></a>");
}

TEST(XmlReader, NormalisesLineEndingsAndAttributeWhitespace) {
  EXPECT_EQ(trace("<a>1\r\n2\r3</a>"), "<a>'1\n2\n3'</a>");
  EXPECT_EQ(trace("<a x='p\tq\nr'/>"), "<a x=p q r></a>");
}

TEST(XmlReader, ReadsCdataAsText) {
  EXPECT_EQ(trace("<a><![CDATA[<not a tag> & ]]></a>"), "<a>'<not a tag> & '</a>");
}

TEST(XmlReader, SkipsCommentsAndProcessingInstructions) {
  EXPECT_EQ(trace("<!-- c --><a><?pi x?><!-- <b> --></a>"), "<a></a>");
}

TEST(XmlReader, AcceptsGreaterThanInsideAttributeValues) {
  EXPECT_EQ(trace("<a x='1>0'/>"), "<a x=1>0></a>");
}

TEST(XmlReader, SameEventsWhateverTheChunkSize) {
  const std::string xml =
      "\xEF\xBB\xBF<?xml version=\"1.0\"?><root><row x=\"1\"><c>va&amp;lue</c><![CDATA[cd]]><!-- k --></row>"
      "<row x='2'>  tail  </row></root>";
  const std::string expected = trace(xml);
  for (std::size_t chunk = 1; chunk < 16; ++chunk) EXPECT_EQ(trace(xml, chunk), expected) << "chunk " << chunk;
}

TEST(XmlReader, ReadElementTextConcatenatesDescendants) {
  consolida::xlsx::MemorySource source("<a><f>x<g>y</g>z</f><h/></a>");
  Limits limits;
  XmlReader reader(source, limits);
  ASSERT_EQ(reader.next(), Event::start);  // <a>
  ASSERT_EQ(reader.next(), Event::start);  // <f>
  EXPECT_EQ(reader.read_element_text(), "xyz");
  ASSERT_EQ(reader.next(), Event::start);
  EXPECT_EQ(reader.name(), "h");
}

TEST(XmlReader, RefusesDoctypeWhichWouldAllowBillionLaughs) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<lolz>&lol2;</lolz>";
  EXPECT_EQ(error_of(laughs), ErrorCode::malformed_xml);
}

TEST(XmlReader, RefusesUndefinedEntities) { EXPECT_EQ(error_of("<a>&lol;</a>"), ErrorCode::malformed_xml); }

TEST(XmlReader, RefusesMismatchedAndUnclosedTags) {
  EXPECT_EQ(error_of("<a><b></a></b>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("<a><b>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("</a>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("<a></a><b></b>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("<a x=1></a>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("<a x='1></a>"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("<a>text"), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of(""), ErrorCode::malformed_xml);
  EXPECT_EQ(error_of("junk<a/>"), ErrorCode::malformed_xml);
}

TEST(XmlReader, ErrorsCarryLineAndColumn) {
  try {
    trace("<a>\n<b>\n  </c>");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.location().line, 3u);
    EXPECT_EQ(error.location().column, 3u);
    EXPECT_NE(error.message(consolida::Lang::it).find("</c>"), std::string::npos);
  }
}

TEST(XmlReader, BoundsTextNodesAndTags) {
  Limits limits;
  limits.max_cell_bytes = 1000;
  limits.max_markup_bytes = 1000;
  EXPECT_EQ(error_of("<a>" + std::string(5000, 'x') + "</a>", limits, 100), ErrorCode::limit_exceeded);
  EXPECT_EQ(error_of("<a x='" + std::string(5000, 'x') + "'/>", limits, 100), ErrorCode::limit_exceeded);
  EXPECT_EQ(error_of("<a><![CDATA[" + std::string(5000, 'x') + "]]></a>", limits, 100), ErrorCode::limit_exceeded);
  EXPECT_EQ(trace("<a>" + std::string(900, 'x') + "</a>", 100, limits).size(), 900u + 9u);
}

TEST(XmlReader, BoundsNestingDepth) {
  Limits limits;
  limits.max_xml_depth = 50;
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "<a>";
  EXPECT_EQ(error_of(deep, limits), ErrorCode::limit_exceeded);
}

TEST(XmlReader, RefusesUtf16Parts) {
  EXPECT_EQ(error_of(std::string("\xFF\xFE<\0a\0/\0>\0", 10)), ErrorCode::unsupported_format);
}

TEST(XmlReader, AcceptsUtf8SplitAcrossChunks) {
  const std::string xml = "<a x='Città'>Povertà € \xF0\x9F\x98\x80 perché</a>";
  const std::string expected = trace(xml);
  EXPECT_EQ(expected, "<a x=Città>'Povertà € \xF0\x9F\x98\x80 perché'</a>");
  for (std::size_t chunk = 1; chunk < 6; ++chunk) EXPECT_EQ(trace(xml, chunk), expected) << chunk;
}

TEST(XmlReader, RefusesInvalidUtf8WithItsPosition) {
  const std::vector<std::string> bad = {
      std::string("<a>Lod\xFF</a>"),            // never valid in UTF-8
      std::string("<a>\xC0\x80</a>"),           // overlong NUL
      std::string("<a>\xE0\x80\xAF</a>"),       // overlong '/'
      std::string("<a>\xED\xA0\x80</a>"),       // a UTF-16 surrogate
      std::string("<a>\xF4\x90\x80\x80</a>"),   // above U+10FFFF
      std::string("<a>\x80</a>"),               // a lone continuation byte
      std::string("<a>\xC3</a>"),               // a sequence cut short
      std::string("<a x='\xE2\x82'/>"),         // in an attribute
  };
  for (const std::string& xml : bad) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{1} << 20}) {
      EXPECT_EQ(error_of(xml, Limits{}, chunk), ErrorCode::malformed_xml) << ::testing::PrintToString(xml) << " chunk " << chunk;
    }
  }
  try {
    trace("<a>\nok\nLod\xFF</a>");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.location().line, 3u);
    EXPECT_EQ(error.location().column, 4u);
  }
}

// Skimming an OpenDocument table for its named expressions (and a cell for its end): only wanted
// elements stop the skim, not those inside a nested element of the same name, not names that
// merely start alike, not what comments, CDATA and instructions hold; across refills of any size;
// a quoted '>' or "/>" is not a tag end; the reader goes on after the element as after skip_element().
TEST(XmlReader, SkimStopsOnlyAtWantedElementsAndResumesAfterTheElement) {
  const std::string xml =
      "<r><t n=\"1\"><row><c>x &amp; y</c><named-x/><t-other/></row><!-- <named/> </t> --><![CDATA[<named></t>]]>"
      "<?pi <named/></t>?><t a=\"x>\" b='/>'><named/></t ><t/><named k=\"v\"><n1/></named><row/><named/></t><after/></r>";
  const Limits limits;
  const std::string_view wanted[] = {"named"};
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{1} << 20}) {
    ChunkedSource source(xml, chunk);
    XmlReader reader(source, limits);
    std::string out;
    for (Event e = reader.next(); e != Event::eof; e = reader.next()) {
      if (e == Event::start && reader.name() == "t") {
        out += "<t>";
        while (reader.skim_element(wanted)) {
          out += "[stop]";
          const std::size_t depth = reader.depth();
          for (Event f = reader.next(); !(f == Event::end && reader.depth() == depth); f = reader.next()) {
            if (f == Event::start) out += "<" + std::string(reader.name()) + " " + std::string(reader.attr("k")) + ">";
            if (f == Event::end) out += "</" + std::string(reader.name()) + ">";
          }
        }
        out += "[end " + std::to_string(reader.depth()) + "]";
      } else if (e == Event::start) {
        out += "<" + std::string(reader.name()) + ">";
      } else if (e == Event::end) {
        out += "</" + std::string(reader.name()) + ">";
      }
    }
    EXPECT_EQ(out, "<r><t>[stop]<named v><n1 ></n1>[stop]<named >[end 1]<after></after></r>") << "chunk " << chunk;
  }
}

// Found by review: an element ending close to the end of the document, and comments that begin
// like their own end ("<!-->", "<!--->"), were refused though well formed.
TEST(XmlReader, SkimsToAnEndNearTheEndOfTheDocumentAndOverShortComments) {
  const Limits limits;
  const std::string_view wanted[] = {"named"};
  for (const std::string xml : {"<r><t></t></r>", "<r><t><x/></t></r>", "<r><t><!--><t>--><!---><t>--></t></r>",
                                "<r><t><!----><named/></t></r>"}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{1} << 20}) {
      ChunkedSource source(xml, chunk);
      XmlReader reader(source, limits);
      std::string out;
      for (Event e = reader.next(); e != Event::eof; e = reader.next()) {
        if (e == Event::start && reader.name() == "t") {
          while (reader.skim_element(wanted)) {
            out += "[stop]";
            reader.next();
            reader.skip_element();
          }
          out += "[t]";
        } else if (e == Event::end) {
          out += "</" + std::string(reader.name()) + ">";
        }
      }
      EXPECT_EQ(out, xml.find("<named/>") != std::string::npos ? "[stop][t]</r>" : "[t]</r>") << xml << " chunk " << chunk;
    }
  }
}

TEST(XmlReader, SkimRefusesTruncationDtdsBadUtf8AndUnclosedNesting) {
  const Limits limits;
  const std::span<const std::string_view> none;
  const struct {
    std::string xml;
    ErrorCode code;
  } cases[] = {
      {"<r><t><row>", ErrorCode::malformed_xml},                          // truncated
      {"<r><t><!DOCTYPE x [<!ENTITY a \"b\">]></t></r>", ErrorCode::malformed_xml},
      {"<r><t><row><c>ok</c></row><c>\xFF</c></t></r>", ErrorCode::malformed_xml},  // not UTF-8
      {"<r><t><t a=\"1\"><c/></r>", ErrorCode::malformed_xml},          // nested same name never closed
  };
  for (const auto& c : cases) {
    ChunkedSource source(c.xml, 5);
    XmlReader reader(source, limits);
    reader.next();
    reader.next();
    try {
      while (reader.skim_element(none)) reader.skip_element();
      for (Event e = reader.next(); e != Event::eof; e = reader.next()) {
      }
      ADD_FAILURE() << "accepted: " << c.xml;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), c.code) << c.xml;
    }
  }
  Limits shallow;
  shallow.max_xml_depth = 8;
  std::string deep = "<r><t>";
  for (int i = 0; i < 20; ++i) deep += "<t>";
  for (int i = 0; i < 20; ++i) deep += "</t>";
  deep += "</t></r>";
  ChunkedSource source(deep, 1 << 20);
  XmlReader reader(source, shallow);
  reader.next();
  reader.next();
  try {
    reader.skim_element(none);
    ADD_FAILURE() << "nesting past the limit was skimmed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::limit_exceeded);
  }
}
