#pragma once
// A reader of Python pickles (protocols 2 to 5) into a tree of values, for the files other
// programs save with torch.save. It runs nothing: a global is a name, and calling one (REDUCE,
// NEWOBJ) gives an object node holding the name and the arguments, except for the few callables
// whose meaning torch checkpoints need (OrderedDict, set, _codecs.encode, torch's tensor rebuilds),
// which are read into plain dicts, lists, bytes and tensors. Opcodes of the text protocols (0, 1)
// are refused by name.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rnmt {

enum class PickleKind {
  none,
  boolean,
  integer,
  real,
  string,  // str
  bytes,   // bytes, and protocol 2's latin-1 encoded ones
  tuple,
  list,     // list, set, frozenset
  dict,     // dict, OrderedDict
  global,   // a name, `module.name`
  object,   // a call of `name` with `items` as arguments, and `state` from BUILD
  storage,  // torch: persistent id ('storage', type, key, location, numel)
  tensor,   // torch: _rebuild_tensor_v2(storage, offset, size, stride, ...)
};

struct PickleNode;
// Nodes point at each other (the memo shares one node among several parents, and a pickle may
// even make a cycle); a Pickle owns them all.
using PickleRef = const PickleNode*;

struct PickleNode {
  PickleKind kind = PickleKind::none;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;  // string, bytes; a global's and an object's `module.name`; a storage's key
  std::vector<PickleRef> items;  // tuple, list; an object's arguments; a tensor's storage
  std::vector<std::pair<PickleRef, PickleRef>> entries;  // dict, in insertion order
  PickleRef state;                                       // object: what BUILD gave it
  // storage: its element type's name (`FloatStorage`, ...); tensor: offset, shape and strides in
  // elements of its storage.
  std::string storage_type;
  int64_t offset = 0;
  std::vector<int64_t> shape, stride;
};

struct Pickle {
  std::vector<std::unique_ptr<PickleNode>> nodes;
  PickleRef root = nullptr;
};

// The value `bytes` pickles; an Error naming `what` for anything malformed or not understood.
Pickle read_pickle(std::string_view bytes, const std::string& what);

// The kind's name, for messages ("dict", "tensor", ...).
const char* pickle_kind_name(PickleKind kind);

// Dict lookup by string key: the value, or null when the key is absent. Not a dict: an Error
// naming `what`.
const PickleNode* pickle_find(const PickleNode& dict, std::string_view key,
                              const std::string& what);
// The same, and an Error naming what.key when it is absent.
const PickleNode& pickle_at(const PickleNode& dict, std::string_view key, const std::string& what);

// An object's attributes (an argparse.Namespace's options): its BUILD state when that is a dict.
// Errors name `what`.
const PickleNode& pickle_attributes(const PickleNode& object, const std::string& what);

}  // namespace rnmt
