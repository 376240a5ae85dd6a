// One HTTP request to the server under test on loopback, read to the end.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/StreamCopier.h>

#include <cstdint>
#include <map>
#include <string>

namespace consolida::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string set_cookie;
  std::string location;
  Poco::Net::NameValueCollection headers;  // every header of the answer, names in any case
};

inline HttpReply http_call(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                           const std::string& content_type = "", const std::map<std::string, std::string>& headers = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));  // a hung server fails the test instead of stalling it
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!content_type.empty()) request.setContentType(content_type);
  if (method == "POST") request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpReply reply;
  reply.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, reply.body);
  reply.set_cookie = response.get("Set-Cookie", "");
  reply.location = response.get("Location", "");
  for (const auto& [name, value] : response) reply.headers.add(name, value);
  return reply;
}

}  // namespace consolida::testing
