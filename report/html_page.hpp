#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace rnmt {

enum class ReportKind { inspection, training, sweep };

// A self-contained HTML page: the data as JSON in the page, the stylesheet and scripts inline; it
// draws itself in any browser with no network access.
std::string html_page(ReportKind kind, const std::string& title,
                      const nlohmann::ordered_json& data);

}  // namespace rnmt
