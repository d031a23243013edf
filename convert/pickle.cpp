#include "convert/pickle.hpp"

#include <cstring>
#include <unordered_map>

#include "core/error.hpp"

namespace rnmt {
namespace {

// The pickle machine: a stack, marks into it and a memo, over nodes the Pickle owns.
class Unpickler {
 public:
  Unpickler(std::string_view bytes, const std::string& what, Pickle& out)
      : bytes_(bytes), what_(what), out_(out) {}

  PickleRef run() {
    while (true) {
      const auto op = static_cast<uint8_t>(take(1)[0]);
      if (op == '.') {  // STOP
        PickleRef root = pop();
        if (!stack_.empty() || !marks_.empty()) fail("values left on the stack at its end");
        return root;
      }
      step(op);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(what_ + ": not a pickle rnmt can read (" + why + ", at byte " +
                std::to_string(at_) + ")");
  }

  std::string_view take(size_t n) {
    if (bytes_.size() - at_ < n) fail("it ends early");
    const std::string_view s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }
  template <class T>
  T little_endian() {
    T v;
    std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));  // x86 and the files agree
    return v;
  }
  size_t length(size_t bytes) {
    uint64_t n = 0;
    if (bytes == 1) n = little_endian<uint8_t>();
    if (bytes == 4) n = little_endian<uint32_t>();
    if (bytes == 8) n = little_endian<uint64_t>();
    if (n > bytes_.size() - at_) fail("a length past its end");
    return static_cast<size_t>(n);
  }
  std::string line() {
    const size_t end = bytes_.find('\n', at_);
    if (end == std::string_view::npos) fail("a name without its end of line");
    std::string s(bytes_.substr(at_, end - at_));
    at_ = end + 1;
    return s;
  }

  PickleNode* make(PickleKind kind) {
    out_.nodes.push_back(std::make_unique<PickleNode>());
    out_.nodes.back()->kind = kind;
    return out_.nodes.back().get();
  }
  PickleNode* make_text(PickleKind kind, std::string_view text) {
    PickleNode* n = make(kind);
    n->text = std::string(text);
    return n;
  }
  PickleNode* make_integer(int64_t v) {
    PickleNode* n = make(PickleKind::integer);
    n->integer = v;
    return n;
  }

  void push(PickleRef n) { stack_.push_back(n); }
  PickleRef pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("a pop from an empty stack");
    PickleRef n = stack_.back();
    stack_.pop_back();
    return n;
  }
  PickleRef top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("an empty stack");
    return stack_.back();
  }
  // The values above the last mark, which is removed.
  std::vector<PickleRef> pop_mark() {
    if (marks_.empty()) fail("no mark");
    std::vector<PickleRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                                 stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  // Containers change in place: the node on the stack is the pickle's own.
  PickleNode* mutable_node(PickleRef n, PickleKind kind, const char* op) {
    if (n->kind != kind)
      fail(std::string(op) + " on a " + pickle_kind_name(n->kind) + ", not a " +
           pickle_kind_name(kind));
    return const_cast<PickleNode*>(n);  // every node is one of out_.nodes, made non-const
  }

  PickleRef tuple(std::vector<PickleRef> items) {
    PickleNode* n = make(PickleKind::tuple);
    n->items = std::move(items);
    return n;
  }
  void set_items(PickleRef dict, const std::vector<PickleRef>& kv) {
    if (kv.size() % 2) fail("a dict given an odd number of keys and values");
    PickleNode* d = mutable_node(dict, PickleKind::dict, "SETITEMS");
    for (size_t i = 0; i < kv.size(); i += 2) d->entries.emplace_back(kv[i], kv[i + 1]);
  }
  void append(PickleRef list, const std::vector<PickleRef>& items) {
    PickleNode* l = mutable_node(list, PickleKind::list, "APPENDS");
    l->items.insert(l->items.end(), items.begin(), items.end());
  }

  int64_t integer_of(PickleRef n, const char* what) {
    if (n->kind != PickleKind::integer) fail(std::string(what) + " is not an integer");
    return n->integer;
  }
  std::vector<int64_t> integers_of(PickleRef n, const char* what) {
    if (n->kind != PickleKind::tuple && n->kind != PickleKind::list)
      fail(std::string(what) + " is not a tuple");
    std::vector<int64_t> v;
    for (PickleRef i : n->items) v.push_back(integer_of(i, what));
    return v;
  }

  // A call of `callable` with `args`: what torch checkpoints mean by it, or an object node.
  PickleRef call(PickleRef callable, PickleRef args) {
    if (callable->kind != PickleKind::global) fail("a call of something that is not a name");
    if (args->kind != PickleKind::tuple) fail("a call whose arguments are not a tuple");
    const std::string& name = callable->text;
    const std::vector<PickleRef>& a = args->items;
    if (name == "collections.OrderedDict" || name == "builtins.dict") {
      PickleNode* d = make(PickleKind::dict);
      if (!a.empty()) {
        if (a[0]->kind != PickleKind::list) fail(name + " from something other than pairs");
        for (PickleRef pair : a[0]->items) {
          if (pair->kind != PickleKind::tuple || pair->items.size() != 2)
            fail(name + " from something other than pairs");
          d->entries.emplace_back(pair->items[0], pair->items[1]);
        }
      }
      return d;
    }
    if (name == "builtins.set" || name == "__builtin__.set" || name == "builtins.frozenset") {
      PickleNode* l = make(PickleKind::list);
      if (!a.empty()) l->items = a[0]->items;
      return l;
    }
    if (name == "_codecs.encode") {  // protocol 2's bytes: encode(text, 'latin1')
      if (a.size() != 2 || a[0]->kind != PickleKind::string) fail("an unexpected _codecs.encode");
      std::string latin1;
      const std::string& s = a[0]->text;  // UTF-8 of code points below 256
      for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
          latin1 += static_cast<char>(c);
        } else if ((c & 0xFE) == 0xC2 && i + 1 < s.size()) {
          latin1 += static_cast<char>(((c & 0x03) << 6) | (s[++i] & 0x3F));
        } else {
          fail("bytes outside latin-1");
        }
      }
      return make_text(PickleKind::bytes, latin1);
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != PickleKind::storage) fail(name + " without a storage");
      PickleNode* t = make(PickleKind::tensor);
      t->items = {a[0]};
      t->offset = integer_of(a[1], "a tensor's offset");
      t->shape = integers_of(a[2], "a tensor's shape");
      t->stride = integers_of(a[3], "a tensor's strides");
      if (t->shape.size() != t->stride.size()) fail("a tensor's shape and strides differ in rank");
      return t;
    }
    if (name == "torch._utils._rebuild_parameter") {  // Parameter(data, requires_grad, hooks)
      if (a.empty() || a[0]->kind != PickleKind::tensor) fail(name + " without a tensor");
      return a[0];
    }
    PickleNode* o = make_text(PickleKind::object, name);
    o->items = a;
    return o;
  }

  PickleRef persistent(PickleRef pid) {
    // torch: ('storage', storage type, key, location, numel)
    if (pid->kind != PickleKind::tuple || pid->items.size() < 3 ||
        pid->items[0]->kind != PickleKind::string || pid->items[0]->text != "storage" ||
        pid->items[1]->kind != PickleKind::global || pid->items[2]->kind != PickleKind::string)
      fail("a persistent id that is not a torch storage");
    PickleNode* s = make_text(PickleKind::storage, pid->items[2]->text);
    const std::string& type = pid->items[1]->text;
    s->storage_type = type.substr(type.rfind('.') + 1);
    return s;
  }

  void step(uint8_t op) {
    switch (op) {
      case 0x80:  // PROTO
        if (static_cast<uint8_t>(take(1)[0]) < 2) fail("a protocol before 2");
        break;
      case 0x95:  // FRAME: its length only
        take(8);
        break;
      case '(':  // MARK
        marks_.push_back(stack_.size());
        break;
      case '0':  // POP
        pop();
        break;
      case '1':  // POP_MARK
        pop_mark();
        break;
      case '2':  // DUP
        push(top());
        break;
      case 'N':
        push(make(PickleKind::none));
        break;
      case 0x88:  // NEWTRUE
      case 0x89: {
        PickleNode* b = make(PickleKind::boolean);
        b->boolean = op == 0x88;
        push(b);
        break;
      }
      case 'J':  // BININT
        push(make_integer(little_endian<int32_t>()));
        break;
      case 'K':  // BININT1
        push(make_integer(little_endian<uint8_t>()));
        break;
      case 'M':  // BININT2
        push(make_integer(little_endian<uint16_t>()));
        break;
      case 0x8a:    // LONG1
      case 0x8b: {  // LONG4
        const size_t n = length(op == 0x8a ? 1 : 4);
        if (n > 8) fail("an integer wider than 64 bits");
        const std::string_view b = take(n);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
          v |= static_cast<uint64_t>(static_cast<uint8_t>(b[i])) << (8 * i);
        if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80))
          v |= ~uint64_t{0} << (8 * n);  // sign-extend
        push(make_integer(static_cast<int64_t>(v)));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian
        const std::string_view b = take(8);
        uint64_t bits = 0;
        for (char c : b) bits = (bits << 8) | static_cast<uint8_t>(c);
        PickleNode* r = make(PickleKind::real);
        std::memcpy(&r->real, &bits, sizeof bits);
        push(r);
        break;
      }
      case 'T':  // BINSTRING, SHORT_BINSTRING (protocol 2's Python 2 str): as str
      case 'U':
        push(make_text(PickleKind::string, take(length(op == 'U' ? 1 : 4))));
        break;
      case 'X':   // BINUNICODE
      case 0x8c:  // SHORT_BINUNICODE
      case 0x8d:  // BINUNICODE8
        push(make_text(PickleKind::string, take(length(op == 'X' ? 4 : op == 0x8c ? 1 : 8))));
        break;
      case 'B':   // BINBYTES
      case 'C':   // SHORT_BINBYTES
      case 0x8e:  // BINBYTES8
      case 0x96:  // BYTEARRAY8
        push(make_text(PickleKind::bytes, take(length(op == 'B' ? 4 : op == 'C' ? 1 : 8))));
        break;
      case ')':
        push(tuple({}));
        break;
      case 't':
        push(tuple(pop_mark()));
        break;
      case 0x85:  // TUPLE1
      case 0x86:
      case 0x87: {
        std::vector<PickleRef> items(op - 0x84);
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        push(tuple(std::move(items)));
        break;
      }
      case ']':   // EMPTY_LIST
      case 0x8f:  // EMPTY_SET
        push(make(PickleKind::list));
        break;
      case 'l': {  // LIST
        PickleNode* l = make(PickleKind::list);
        l->items = pop_mark();
        push(l);
        break;
      }
      case 0x91: {  // FROZENSET
        PickleNode* l = make(PickleKind::list);
        l->items = pop_mark();
        push(l);
        break;
      }
      case 'a': {  // APPEND
        PickleRef item = pop();
        append(top(), {item});
        break;
      }
      case 'e':     // APPENDS
      case 0x90: {  // ADDITEMS
        std::vector<PickleRef> items = pop_mark();
        append(top(), items);
        break;
      }
      case '}':
        push(make(PickleKind::dict));
        break;
      case 'd': {  // DICT
        PickleRef d = make(PickleKind::dict);
        set_items(d, pop_mark());
        push(d);
        break;
      }
      case 's': {  // SETITEM
        PickleRef value = pop(), key = pop();
        set_items(top(), {key, value});
        break;
      }
      case 'u': {  // SETITEMS
        std::vector<PickleRef> kv = pop_mark();
        set_items(top(), kv);
        break;
      }
      case 'c': {  // GLOBAL: module and name on lines of their own
        std::string module = line();
        push(make_text(PickleKind::global, module + "." + line()));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PickleRef name = pop(), module = pop();
        if (module->kind != PickleKind::string || name->kind != PickleKind::string)
          fail("STACK_GLOBAL of something other than names");
        push(make_text(PickleKind::global, module->text + "." + name->text));
        break;
      }
      case 'R': {  // REDUCE
        PickleRef args = pop(), callable = pop();
        push(call(callable, args));
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
        PickleRef args = pop(), cls = pop();
        push(call(cls, args));
        break;
      }
      case 0x92: {  // NEWOBJ_EX: keyword arguments dropped
        pop();
        PickleRef args = pop(), cls = pop();
        push(call(cls, args));
        break;
      }
      case 'b': {  // BUILD: an object's state (and a state_dict's _metadata)
        PickleRef state = pop();
        PickleRef target = top();
        if (target->kind == PickleKind::tensor) break;  // tensors' extra state: none needed
        mutable_node(target,
                     target->kind == PickleKind::dict ? PickleKind::dict : PickleKind::object,
                     "BUILD")
            ->state = state;
        break;
      }
      case 'Q':  // BINPERSID
        push(persistent(pop()));
        break;
      case 'q':  // BINPUT
        memo_[little_endian<uint8_t>()] = top();
        break;
      case 'r':  // LONG_BINPUT
        memo_[little_endian<uint32_t>()] = top();
        break;
      case 0x94:  // MEMOIZE
        memo_[memo_.size()] = top();
        break;
      case 'h':  // BINGET
      case 'j': {
        const uint32_t key = op == 'h' ? little_endian<uint8_t>() : little_endian<uint32_t>();
        const auto found = memo_.find(key);
        if (found == memo_.end()) fail("a memo entry that was never put");
        push(found->second);
        break;
      }
      default: {
        static const char hex[] = "0123456789abcdef";
        fail(std::string("opcode 0x") + hex[op >> 4] + hex[op & 15] +
             " (of the text protocols, or unknown)");
      }
    }
  }

  std::string_view bytes_;
  const std::string& what_;
  Pickle& out_;
  size_t at_ = 0;
  std::vector<PickleRef> stack_;
  std::vector<size_t> marks_;  // stack sizes at each MARK
  std::unordered_map<uint64_t, PickleRef> memo_;
};

}  // namespace

Pickle read_pickle(std::string_view bytes, const std::string& what) {
  Pickle out;
  out.root = Unpickler(bytes, what, out).run();
  return out;
}

const char* pickle_kind_name(PickleKind kind) {
  switch (kind) {
    case PickleKind::none:
      return "None";
    case PickleKind::boolean:
      return "bool";
    case PickleKind::integer:
      return "int";
    case PickleKind::real:
      return "float";
    case PickleKind::string:
      return "str";
    case PickleKind::bytes:
      return "bytes";
    case PickleKind::tuple:
      return "tuple";
    case PickleKind::list:
      return "list";
    case PickleKind::dict:
      return "dict";
    case PickleKind::global:
      return "name";
    case PickleKind::object:
      return "object";
    case PickleKind::storage:
      return "storage";
    case PickleKind::tensor:
      return "tensor";
  }
  return "?";
}

const PickleNode* pickle_find(const PickleNode& dict, std::string_view key,
                              const std::string& what) {
  if (dict.kind != PickleKind::dict)
    throw Error(what + " is a " + pickle_kind_name(dict.kind) + ", not a dict");
  for (const auto& [k, v] : dict.entries)
    if (k->kind == PickleKind::string && k->text == key) return v;
  return nullptr;
}

const PickleNode& pickle_at(const PickleNode& dict, std::string_view key, const std::string& what) {
  const PickleNode* v = pickle_find(dict, key, what);
  if (!v) throw Error(what + " has no '" + std::string(key) + "'");
  return *v;
}

const PickleNode& pickle_attributes(const PickleNode& object, const std::string& what) {
  if (object.kind == PickleKind::dict) return object;
  if (object.kind != PickleKind::object || !object.state || object.state->kind != PickleKind::dict)
    throw Error(what + " is a " + pickle_kind_name(object.kind) + " without attributes");
  return *object.state;
}

}  // namespace rnmt
