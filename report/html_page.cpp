#include "report/html_page.hpp"

#include "report/assets.hpp"

namespace rnmt {

namespace {

// Text for an HTML element's content: &, < and > escaped.
std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// JSON inside <script>: "</" would end the element, so it is written "<\/" (the same string).
std::string script_safe_json(const nlohmann::ordered_json& data) {
  std::string json = data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out;
}

}  // namespace

std::string html_page(ReportKind kind, const std::string& title,
                      const nlohmann::ordered_json& data) {
  std::string page;
  page.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  page.append(escape_html(title));
  page.append("</title>\n<style>\n").append(kReportCss).append("</style>\n</head>\n<body>\n");
  page.append("<div id=\"app\"></div>\n<script id=\"rnmt-data\" type=\"application/json\">");
  page.append(script_safe_json(data));
  page.append("</script>\n<script>\n").append(kChartsJs).append("</script>\n<script>\n");
  page.append(kind == ReportKind::inspection ? kInspectionJs
              : kind == ReportKind::training ? kTrainingJs
                                             : kSweepJs);
  page.append("</script>\n</body>\n</html>\n");
  return page;
}

}  // namespace rnmt
