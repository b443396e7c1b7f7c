#include "inference/pth_unpickler.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

// Bounds on what a state dict could plausibly need; a corrupt or hostile file hits these
// instead of exhausting memory.
constexpr size_t kMaxStack = 1 << 20;
constexpr size_t kMaxMemo = 1 << 22;
constexpr int64_t kMaxDims = 64;
// Values are freed recursively; a hostile file nesting tuples a million deep must not be able
// to overflow the stack when its value tree is destroyed.
constexpr int kMaxDepth = 512;

using Kind = PickleValue::Kind;

PickleValuePtr Make(Kind kind) {
  auto v = std::make_shared<PickleValue>();
  v->kind = kind;
  return v;
}

PickleValuePtr MakeInt(int64_t i) {
  auto v = Make(Kind::kInt);
  v->int_value = i;
  return v;
}

PickleValuePtr MakeText(Kind kind, std::string text) {
  auto v = Make(kind);
  v->text = std::move(text);
  return v;
}

class Machine {
 public:
  Machine(std::string_view data, size_t offset) : data_(data), pos_(offset) {}

  absl::StatusOr<PickleValuePtr> Run() {
    while (true) {
      if (pos_ >= data_.size()) return Error("pickle ends without a STOP opcode");
      op_pos_ = pos_;
      const uint8_t op = static_cast<uint8_t>(data_[pos_++]);
      if (op == '.') {  // STOP
        if (stack_.empty()) return Error("STOP with an empty stack");
        return stack_.back();
      }
      absl::Status status = Step(op);
      if (!status.ok()) return status;
      if (stack_.size() > kMaxStack) return Error("pickle stack too deep");
    }
  }

  size_t position() const { return pos_; }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::DataLossError(absl::StrCat("corrupt pickle at byte ", op_pos_, ": ", what));
  }

  absl::Status Need(size_t n) const {
    if (data_.size() - pos_ < n) return Error("data ends in the middle of an opcode");
    return absl::OkStatus();
  }

  // Little-endian unsigned integer of `n` bytes.
  absl::StatusOr<uint64_t> ReadUint(size_t n) {
    if (auto s = Need(n); !s.ok()) return s;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += n;
    return v;
  }

  absl::StatusOr<std::string> ReadBytes(uint64_t n) {
    if (n > data_.size() - pos_) return Error("length runs past the end of the data");
    std::string out(data_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  absl::StatusOr<std::string> ReadLine() {
    const size_t end = data_.find('\n', pos_);
    if (end == std::string_view::npos) return Error("unterminated text line");
    std::string out(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }

  absl::StatusOr<PickleValuePtr> Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
      return Error("pop from an empty stack");
    }
    PickleValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }

  absl::StatusOr<std::vector<PickleValuePtr>> PopToMark() {
    if (marks_.empty()) return Error("no MARK on the stack");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<PickleValuePtr> items(stack_.begin() + mark, stack_.end());
    stack_.resize(mark);
    return items;
  }

  absl::Status Push(PickleValuePtr v) {
    stack_.push_back(std::move(v));
    return absl::OkStatus();
  }

  absl::Status Memoize(uint64_t index) {
    if (stack_.empty()) return Error("memoize with an empty stack");
    if (index >= kMaxMemo) return Error("memo index too large");
    memo_[index] = stack_.back();
    return absl::OkStatus();
  }

  absl::Status Recall(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) return Error(absl::StrCat("memo index ", index, " was never set"));
    return Push(it->second);
  }

  // Records that `parent` will hold `children`, refusing nesting beyond kMaxDepth.
  absl::Status Adopt(PickleValue& parent, const std::vector<PickleValuePtr>& children) {
    for (const auto& child : children) parent.depth = std::max(parent.depth, child->depth + 1);
    if (parent.depth > kMaxDepth) return Error("values nested too deeply");
    return absl::OkStatus();
  }

  absl::Status SetItems(std::vector<PickleValuePtr> items) {
    if (items.size() % 2 != 0) return Error("odd number of dict items");
    auto target = Pop();
    if (!target.ok()) return target.status();
    PickleValuePtr dict = *target;
    if (dict->kind != Kind::kDict) return Error("SETITEMS on something that is not a dict");
    if (auto s = Adopt(*dict, items); !s.ok()) return s;
    for (auto& item : items) dict->items.push_back(std::move(item));
    return Push(dict);
  }

  absl::Status Append(std::vector<PickleValuePtr> items) {
    auto target = Pop();
    if (!target.ok()) return target.status();
    PickleValuePtr list = *target;
    if (list->kind != Kind::kList) return Error("APPEND on something that is not a list");
    if (auto s = Adopt(*list, items); !s.ok()) return s;
    for (auto& item : items) list->items.push_back(std::move(item));
    return Push(list);
  }

  absl::StatusOr<std::vector<int64_t>> IntTuple(const PickleValuePtr& v, const char* what) {
    if (v->kind != Kind::kTuple && v->kind != Kind::kList) {
      return Error(absl::StrCat("tensor ", what, " is not a tuple"));
    }
    if (static_cast<int64_t>(v->items.size()) > kMaxDims) {
      return Error(absl::StrCat("tensor ", what, " has too many dimensions"));
    }
    std::vector<int64_t> out;
    for (const auto& item : v->items) {
      if (item->kind != Kind::kInt) return Error(absl::StrCat("tensor ", what, " is not ints"));
      out.push_back(item->int_value);
    }
    return out;
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, meta])
  // and the older _rebuild_tensor(storage, storage_offset, size, stride).
  absl::StatusOr<PickleValuePtr> RebuildTensor(const std::vector<PickleValuePtr>& args) {
    if (args.size() < 4) return Error("_rebuild_tensor with too few arguments");
    if (args[0]->kind != Kind::kStorage) return Error("_rebuild_tensor without a storage");
    if (args[1]->kind != Kind::kInt) return Error("tensor storage offset is not an int");
    auto v = Make(Kind::kTensor);
    v->tensor.storage = args[0]->storage;
    v->tensor.storage_offset = args[1]->int_value;
    auto sizes = IntTuple(args[2], "size");
    if (!sizes.ok()) return sizes.status();
    auto strides = IntTuple(args[3], "stride");
    if (!strides.ok()) return strides.status();
    if (sizes->size() != strides->size()) return Error("tensor size and stride differ in rank");
    v->tensor.sizes = std::move(*sizes);
    v->tensor.strides = std::move(*strides);
    return v;
  }

  absl::StatusOr<PickleValuePtr> Reduce(const PickleValuePtr& callable,
                                        const PickleValuePtr& args) {
    if (args->kind != Kind::kTuple) return Error("REDUCE arguments are not a tuple");
    const std::string& name = callable->text;
    if (callable->kind != Kind::kGlobal) return MakeText(Kind::kObject, "<call>");
    if (name == "collections.OrderedDict" && args->items.empty()) return Make(Kind::kDict);
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      return RebuildTensor(args->items);
    }
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state") {
      if (args->items.empty()) return Error("_rebuild_parameter without data");
      return args->items[0];
    }
    return MakeText(Kind::kObject, name);
  }

  // ('storage', storage_type, key, location, numel[, view_metadata]).
  absl::StatusOr<PickleValuePtr> PersistentLoad(const PickleValuePtr& pid) {
    if (pid->kind != Kind::kTuple || pid->items.size() < 5) {
      return Error("unsupported persistent id (not a storage tuple)");
    }
    const auto& t = pid->items;
    if (t[0]->kind != Kind::kString || t[0]->text != "storage") {
      return Error("unsupported persistent id (not a storage)");
    }
    if (t[1]->kind != Kind::kGlobal) return Error("storage type is not a class");
    if (t[2]->kind != Kind::kString) return Error("storage key is not a string");
    if (t[4]->kind != Kind::kInt || t[4]->int_value < 0) return Error("bad storage size");
    if (pid->items.size() > 5 && t[5]->kind != Kind::kNone) {
      return Error("storage views (legacy view_metadata) are not supported");
    }
    auto v = Make(Kind::kStorage);
    v->storage.key = t[2]->text;
    v->storage.dtype = StorageTypeToScalarType(t[1]->text);
    if (v->storage.dtype == c10::ScalarType::Undefined) {
      return Error(absl::StrCat("unsupported storage type ", t[1]->text));
    }
    v->storage.numel = t[4]->int_value;
    return v;
  }

  absl::Status Step(uint8_t op) {
    switch (op) {
      case 0x80: {  // PROTO
        auto p = ReadUint(1);
        return p.status();
      }
      case 0x95: {  // FRAME: only a hint for buffered readers.
        auto n = ReadUint(8);
        return n.status();
      }
      case '(':  // MARK
        marks_.push_back(stack_.size());
        return absl::OkStatus();
      case '0':  // POP
        return Pop().status();
      case '1':  // POP_MARK
        return PopToMark().status();
      case '2': {  // DUP
        if (stack_.empty()) return Error("DUP with an empty stack");
        return Push(stack_.back());
      }
      case 'N':
        return Push(Make(Kind::kNone));
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        auto v = Make(Kind::kBool);
        v->int_value = op == 0x88;
        return Push(v);
      }
      case 'J': {  // BININT
        auto v = ReadUint(4);
        if (!v.ok()) return v.status();
        return Push(MakeInt(static_cast<int32_t>(static_cast<uint32_t>(*v))));
      }
      case 'K': {  // BININT1
        auto v = ReadUint(1);
        if (!v.ok()) return v.status();
        return Push(MakeInt(static_cast<int64_t>(*v)));
      }
      case 'M': {  // BININT2
        auto v = ReadUint(2);
        if (!v.ok()) return v.status();
        return Push(MakeInt(static_cast<int64_t>(*v)));
      }
      case 0x8a:
      case 0x8b: {  // LONG1, LONG4: little-endian two's complement of n bytes.
        auto n = ReadUint(op == 0x8a ? 1 : 4);
        if (!n.ok()) return n.status();
        if (*n > 8) {  // e.g. the legacy format's magic number; kept as raw bytes.
          auto b = ReadBytes(*n);
          if (!b.ok()) return b.status();
          return Push(MakeText(Kind::kBigInt, std::move(*b)));
        }
        if (*n == 0) return Push(MakeInt(0));
        auto v = ReadUint(*n);
        if (!v.ok()) return v.status();
        uint64_t raw = *v;
        if (*n < 8 && (raw >> (8 * *n - 1)) & 1) raw |= ~uint64_t{0} << (8 * *n);  // sign
        return Push(MakeInt(static_cast<int64_t>(raw)));
      }
      case 'G': {  // BINFLOAT, big-endian
        auto b = ReadBytes(8);
        if (!b.ok()) return b.status();
        uint64_t bits = 0;
        for (char c : *b) bits = (bits << 8) | static_cast<uint8_t>(c);
        auto v = Make(Kind::kFloat);
        std::memcpy(&v->float_value, &bits, sizeof(bits));
        return Push(v);
      }
      case 'X':
      case 0x8c:
      case 0x8d:
      case 'T':
      case 'U':
      case 'B':
      case 'C':
      case 0x8e: {  // string and bytes opcodes: length prefix of 1, 4 or 8 bytes
        const size_t width = (op == 0x8c || op == 'U' || op == 'C') ? 1
                             : (op == 0x8d || op == 0x8e)           ? 8
                                                                    : 4;
        auto n = ReadUint(width);
        if (!n.ok()) return n.status();
        auto b = ReadBytes(*n);
        if (!b.ok()) return b.status();
        const bool is_bytes = op == 'B' || op == 'C' || op == 0x8e;
        return Push(MakeText(is_bytes ? Kind::kBytes : Kind::kString, std::move(*b)));
      }
      case ')':
        return Push(Make(Kind::kTuple));
      case 't': {  // TUPLE
        auto items = PopToMark();
        if (!items.ok()) return items.status();
        auto v = Make(Kind::kTuple);
        if (auto s = Adopt(*v, *items); !s.ok()) return s;
        v->items = std::move(*items);
        return Push(v);
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        const size_t n = op - 0x84;
        auto v = Make(Kind::kTuple);
        v->items.resize(n);
        for (size_t i = n; i-- > 0;) {
          auto item = Pop();
          if (!item.ok()) return item.status();
          v->items[i] = *item;
          if (auto s = Adopt(*v, {*item}); !s.ok()) return s;
        }
        return Push(v);
      }
      case ']':
        return Push(Make(Kind::kList));
      case 'l': {  // LIST
        auto items = PopToMark();
        if (!items.ok()) return items.status();
        auto v = Make(Kind::kList);
        if (auto s = Adopt(*v, *items); !s.ok()) return s;
        v->items = std::move(*items);
        return Push(v);
      }
      case 'a': {  // APPEND
        auto item = Pop();
        if (!item.ok()) return item.status();
        return Append({*item});
      }
      case 'e': {  // APPENDS
        auto items = PopToMark();
        if (!items.ok()) return items.status();
        return Append(std::move(*items));
      }
      case '}':
        return Push(Make(Kind::kDict));
      case 'd': {  // DICT
        auto items = PopToMark();
        if (!items.ok()) return items.status();
        if (items->size() % 2 != 0) return Error("odd number of dict items");
        auto v = Make(Kind::kDict);
        if (auto s = Adopt(*v, *items); !s.ok()) return s;
        v->items = std::move(*items);
        return Push(v);
      }
      case 's': {  // SETITEM
        auto value = Pop();
        if (!value.ok()) return value.status();
        auto key = Pop();
        if (!key.ok()) return key.status();
        return SetItems({*key, *value});
      }
      case 'u': {  // SETITEMS
        auto items = PopToMark();
        if (!items.ok()) return items.status();
        return SetItems(std::move(*items));
      }
      case 'c': {  // GLOBAL
        auto module = ReadLine();
        if (!module.ok()) return module.status();
        auto name = ReadLine();
        if (!name.ok()) return name.status();
        return Push(MakeText(Kind::kGlobal, absl::StrCat(*module, ".", *name)));
      }
      case 0x93: {  // STACK_GLOBAL
        auto name = Pop();
        if (!name.ok()) return name.status();
        auto module = Pop();
        if (!module.ok()) return module.status();
        if ((*name)->kind != Kind::kString || (*module)->kind != Kind::kString) {
          return Error("STACK_GLOBAL names are not strings");
        }
        return Push(MakeText(Kind::kGlobal, absl::StrCat((*module)->text, ".", (*name)->text)));
      }
      case 'R':
      case 0x81: {  // REDUCE, NEWOBJ
        auto args = Pop();
        if (!args.ok()) return args.status();
        auto callable = Pop();
        if (!callable.ok()) return callable.status();
        auto v = Reduce(*callable, *args);
        if (!v.ok()) return v.status();
        return Push(*v);
      }
      case 'b': {  // BUILD: sets attributes (e.g. a state_dict's _metadata); not needed.
        return Pop().status();
      }
      case 'Q': {  // BINPERSID
        auto pid = Pop();
        if (!pid.ok()) return pid.status();
        auto v = PersistentLoad(*pid);
        if (!v.ok()) return v.status();
        return Push(*v);
      }
      case 'q': {  // BINPUT
        auto i = ReadUint(1);
        if (!i.ok()) return i.status();
        return Memoize(*i);
      }
      case 'r': {  // LONG_BINPUT
        auto i = ReadUint(4);
        if (!i.ok()) return i.status();
        return Memoize(*i);
      }
      case 0x94:  // MEMOIZE
        return Memoize(memo_.size());
      case 'h': {  // BINGET
        auto i = ReadUint(1);
        if (!i.ok()) return i.status();
        return Recall(*i);
      }
      case 'j': {  // LONG_BINGET
        auto i = ReadUint(4);
        if (!i.ok()) return i.status();
        return Recall(*i);
      }
      default:
        return Error(absl::StrCat("unsupported opcode 0x", absl::Hex(op)));
    }
  }

  std::string_view data_;
  size_t pos_;
  size_t op_pos_ = 0;
  std::vector<PickleValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValuePtr> memo_;
};

}  // namespace

absl::StatusOr<PickleValuePtr> Unpickle(std::string_view data, size_t* offset) {
  Machine machine(data, *offset);
  auto result = machine.Run();
  if (result.ok()) *offset = machine.position();
  return result;
}

c10::ScalarType StorageTypeToScalarType(const std::string& name) {
  static const auto* const kTypes = new std::unordered_map<std::string, c10::ScalarType>{
      {"torch.FloatStorage", c10::ScalarType::Float},
      {"torch.DoubleStorage", c10::ScalarType::Double},
      {"torch.HalfStorage", c10::ScalarType::Half},
      {"torch.BFloat16Storage", c10::ScalarType::BFloat16},
      {"torch.LongStorage", c10::ScalarType::Long},
      {"torch.IntStorage", c10::ScalarType::Int},
      {"torch.ShortStorage", c10::ScalarType::Short},
      {"torch.CharStorage", c10::ScalarType::Char},
      {"torch.ByteStorage", c10::ScalarType::Byte},
      {"torch.BoolStorage", c10::ScalarType::Bool},
  };
  auto it = kTypes->find(name);
  return it == kTypes->end() ? c10::ScalarType::Undefined : it->second;
}

}  // namespace labelloop
