// Arbitrary bytes as the pickle inside a torch checkpoint (`rnmt convert` reads them from other
// programs' files). Properties: the reader returns a tree or an rnmt::Error, never anything else;
// every tensor it makes has as many strides as dimensions and a storage; the tree's nodes are all
// the Pickle's own (a walk that follows every reference, cycles included, stays among them).
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "convert/pickle.hpp"
#include "core/error.hpp"
#include "fuzz/check.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Pickle pickle;
  try {
    pickle = read_pickle(std::string(reinterpret_cast<const char*>(data), size), "fuzz.pkl");
  } catch (const Error&) {
    return 0;
  }
  FUZZ_CHECK(pickle.root != nullptr);
  std::unordered_set<const PickleNode*> own, seen;
  for (const auto& n : pickle.nodes) own.insert(n.get());
  std::vector<const PickleNode*> todo = {pickle.root};
  while (!todo.empty()) {
    const PickleNode* n = todo.back();
    todo.pop_back();
    FUZZ_CHECK(own.count(n) == 1);
    if (!seen.insert(n).second) continue;
    if (n->kind == PickleKind::tensor) {
      FUZZ_CHECK(n->shape.size() == n->stride.size());
      FUZZ_CHECK(n->items.size() == 1 && n->items[0]->kind == PickleKind::storage);
    }
    (void)pickle_kind_name(n->kind);
    for (const PickleNode* i : n->items) todo.push_back(i);
    for (const auto& [k, v] : n->entries) {
      todo.push_back(k);
      todo.push_back(v);
    }
    if (n->state) todo.push_back(n->state);
  }
  return 0;
}
