#pragma once
#include <nlohmann/json.hpp>

#include "inspect/model_inspection.hpp"

namespace rnmt {

// The inspection as the JSON `rnmt inspect --json` writes and the HTML report reads
// (docs/inspection.md, "Seeing inside the network", lists the fields). Values are rounded to 4
// decimals: the page stays small and nothing a picture shows is lost.
nlohmann::ordered_json inspection_json(const ModelInspection& inspection);

// "encoder 1 left-to-right", "decoder 2": a layer's name in reports (depth counted from 1).
std::string layer_name(LayerRole role, int64_t depth);

}  // namespace rnmt
