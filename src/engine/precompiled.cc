#include "engine/precompiled.h"

#include <elf.h>
#include <link.h>

#include <atomic>
#include <cstring>

#include "engine/tiers.h"

#ifndef HULL_VERSION_STRING
#define HULL_VERSION_STRING "unknown"
#endif

namespace hull {

namespace {

constexpr uint8_t kMagic[8] = {0, 'h', 'u', 'l', 'l', 'c', '\r', '\n'};
// Bumped whenever the layout above or any tier's part changes meaning.
constexpr uint32_t kFormat = 1;

enum OptionBits : uint8_t { kFuel = 1, kEpochs = 2, kGuardPages = 4 };

uint8_t option_bits(const CompileOptions& o) {
  return static_cast<uint8_t>((o.fuel ? kFuel : 0) | (o.epochs ? kEpochs : 0) |
                              (o.guard_pages ? kGuardPages : 0));
}

std::string describe(uint8_t bits) {
  std::string s;
  s += bits & kFuel ? "fuel metering" : "no fuel metering";
  s += bits & kEpochs ? ", deadlines (epochs)" : ", no deadlines";
  s += bits & kGuardPages ? ", guard-page bounds checks" : ", explicit bounds checks";
  return s;
}

// The GNU build-id note of one loaded object, as hex ("" when it has none).
std::string build_id_of(const dl_phdr_info* info) {
  std::string id;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    const uint8_t* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) nh;
      std::memcpy(&nh, p, sizeof nh);
      const uint8_t* name = p + sizeof nh;
      const uint8_t* desc = name + ((nh.n_namesz + 3) & ~3u);
      if (desc + nh.n_descsz > end) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        static const char* hex = "0123456789abcdef";
        for (uint32_t k = 0; k < nh.n_descsz; ++k) {
          id.push_back(hex[desc[k] >> 4]);
          id.push_back(hex[desc[k] & 15]);
        }
        return id;
      }
      p = desc + ((nh.n_descsz + 3) & ~3u);
    }
  }
  return id;
}

int find_executable_build_id(dl_phdr_info* info, size_t, void* out) {
  // The first object reported is the executable itself.
  *static_cast<std::string*>(out) = build_id_of(info);
  return 1;  // only the executable
}

struct ObjectAt {
  uintptr_t addr;
  std::string id;
};

int find_build_id_at(dl_phdr_info* info, size_t, void* out) {
  auto* o = static_cast<ObjectAt*>(out);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && o->addr >= start && o->addr - start < ph.p_memsz) {
      o->id = build_id_of(info);
      return 1;
    }
  }
  return 0;  // not this object: go on
}

// Set by an executable whose native tier lives in a plugin (set_native_code_build_id_source).
std::atomic<Result<std::string> (*)()> g_code_id_source{nullptr};

struct Header {
  uint32_t format = 0;
  std::string version, build_id, tier;
  uint8_t options = 0;
  std::span<const uint8_t> module, code;
};

// Parses the layout; checks magic, checksum and format (a file from another format is refused
// before its fields are trusted).
Result<Header> parse(std::span<const uint8_t> image) {
  if (!is_precompiled(image)) return Error::malformed("not a precompiled module (.hullc)", 0);
  if (image.size() < sizeof kMagic + 4 + 16)
    return Error::malformed("precompiled module truncated", image.size());
  Header h;
  ImageReader r(image.subspan(sizeof kMagic), sizeof kMagic);
  r.u32(&h.format, "the format");
  if (h.format != kFormat)
    return Error::make(ErrorKind::Usage,
                       "precompiled module of format " + std::to_string(h.format) +
                           "; this Hull reads format " + std::to_string(kFormat) +
                           ": compile the .wasm again with this hull-native compile");
  const auto body = image.first(image.size() - 16);
  const auto sum = image_checksum(body);
  if (std::memcmp(sum.data(), image.data() + body.size(), 16) != 0)
    return Error::malformed("precompiled module damaged or cut short (checksum mismatch)",
                            body.size());
  ImageReader f(body.subspan(sizeof kMagic + 4), sizeof kMagic + 4);
  if (!f.str(&h.version, "the Hull version") || !f.str(&h.build_id, "the build id") ||
      !f.str(&h.tier, "the tier") || !f.u8(&h.options, "the options") ||
      !f.bytes(&h.module, "the module") || !f.bytes(&h.code, "the machine code"))
    return f.error();
  if (!f.at_end())
    return Error::malformed("precompiled module has trailing bytes", sizeof kMagic + 4 + f.pos());
  return h;
}

}  // namespace

const std::string& executable_build_id() {
  static const std::string id = [] {
    std::string s;
    dl_iterate_phdr(&find_executable_build_id, &s);
    return s;
  }();
  return id;
}

std::string build_id_of_object_at(const void* addr) {
  ObjectAt o{reinterpret_cast<uintptr_t>(addr), {}};
  dl_iterate_phdr(&find_build_id_at, &o);
  return o.id;
}

void set_native_code_build_id_source(Result<std::string> (*source)()) {
  g_code_id_source.store(source, std::memory_order_release);
}

Result<std::string> native_code_build_id() {
  if (auto* source = g_code_id_source.load(std::memory_order_acquire)) return source();
  return executable_build_id();
}

bool is_precompiled(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

Result<std::vector<uint8_t>> precompile(std::span<const uint8_t> wasm, CompileOptions opts) {
  const NativeTier* tier = native_tier();
  if (!tier || !tier->precompile)
    return Error::make(ErrorKind::Usage,
                       "this build has no native tier to precompile with: use hull-native");
  HULL_ASSIGN_OR_RETURN(const std::string build_id, native_code_build_id());
  if (build_id.empty())
    return Error::make(ErrorKind::Usage,
                       "the native tier's code has no build id (link with -Wl,--build-id), so a "
                       "precompiled module could not be matched to it");
  opts.native = false;  // the tier's precompile does the native part
  opts.native_background = false;
  HULL_ASSIGN_OR_RETURN(auto cm, compile(wasm, opts));
  HULL_ASSIGN_OR_RETURN(std::vector<uint8_t> code, tier->precompile(*cm));
  ImageWriter w;
  w.raw(kMagic);
  w.u32(kFormat);
  w.str(HULL_VERSION_STRING);
  w.str(build_id);
  w.str(tier->name);
  w.u8(option_bits(opts));
  w.bytes(wasm);
  w.bytes(code);
  const auto sum = image_checksum(w.out());
  w.raw(sum);
  return std::move(w.out());
}

Result<std::shared_ptr<const CompiledModule>> load_precompiled(std::span<const uint8_t> image,
                                                               CompileOptions opts) {
  HULL_ASSIGN_OR_RETURN(Header h, parse(image));
  const auto recompile = ": compile the .wasm again with this hull-native (hull-native compile)";
  const NativeTier* tier = native_tier();
  if (!tier || !tier->load)
    return Error::make(ErrorKind::Usage,
                       "a precompiled module holds machine code: run it with hull-native (this "
                       "build has no native tier, and no hull-native is beside it)");
  HULL_ASSIGN_OR_RETURN(const std::string build_id, native_code_build_id());
  if (h.version != HULL_VERSION_STRING || h.build_id != build_id)
    return Error::make(ErrorKind::Usage, "precompiled by Hull " + h.version + " (build " +
                                             h.build_id.substr(0, 12) + "), not by this Hull " +
                                             HULL_VERSION_STRING + " (build " +
                                             build_id.substr(0, 12) + ")" + recompile);
  if (h.tier != tier->name)
    return Error::make(ErrorKind::Usage, "precompiled by the '" + h.tier + "' tier, not by '" +
                                             tier->name + "'" + recompile);
  if (h.options != option_bits(opts))
    return Error::make(ErrorKind::Usage, "precompiled with " + describe(h.options) +
                                             "; this run asks for " + describe(option_bits(opts)) +
                                             ": run it as it was compiled (compile's --fuel and "
                                             "--epochs go with run's --fuel and --timeout), or "
                                             "compile it again for this run");
  opts.native = false;
  opts.native_background = false;
  HULL_ASSIGN_OR_RETURN(auto cm, compile(h.module, opts));
  HULL_ASSIGN_OR_RETURN(auto code, tier->load(*cm, h.code));
  cm->set_native_code(std::move(code));
  return cm;
}

Result<PrecompiledInfo> precompiled_info(std::span<const uint8_t> image) {
  HULL_ASSIGN_OR_RETURN(Header h, parse(image));
  PrecompiledInfo info;
  info.format = h.format;
  info.hull_version = h.version;
  info.build_id = h.build_id;
  info.tier = h.tier;
  info.fuel = h.options & kFuel;
  info.epochs = h.options & kEpochs;
  info.guard_pages = h.options & kGuardPages;
  info.module = h.module;
  info.code_bytes = h.code.size();
  return info;
}

bool ImageReader::fail(const char* what) {
  if (error_.message.empty())
    error_ = Error::malformed(std::string("precompiled module truncated in ") + what, base_ + pos_);
  return false;
}

bool ImageReader::u8(uint8_t* v, const char* what) {
  if (b_.size() - pos_ < 1) return fail(what);
  *v = b_[pos_++];
  return true;
}

bool ImageReader::u32(uint32_t* v, const char* what) {
  uint64_t x = 0;
  if (b_.size() - pos_ < 4) return fail(what);
  for (int i = 0; i < 4; ++i) x |= static_cast<uint64_t>(b_[pos_ + i]) << (8 * i);
  pos_ += 4;
  *v = static_cast<uint32_t>(x);
  return true;
}

bool ImageReader::u64(uint64_t* v, const char* what) {
  uint64_t x = 0;
  if (b_.size() - pos_ < 8) return fail(what);
  for (int i = 0; i < 8; ++i) x |= static_cast<uint64_t>(b_[pos_ + i]) << (8 * i);
  pos_ += 8;
  *v = x;
  return true;
}

bool ImageReader::bytes(std::span<const uint8_t>* v, const char* what) {
  uint64_t n = 0;
  if (!u64(&n, what)) return false;
  if (n > b_.size() - pos_) {
    pos_ -= 8;  // the offset of the length that does not fit
    return fail(what);
  }
  *v = b_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool ImageReader::str(std::string* v, const char* what) {
  std::span<const uint8_t> b;
  if (!bytes(&b, what)) return false;
  v->assign(reinterpret_cast<const char*>(b.data()), b.size());
  return true;
}

std::array<uint8_t, 16> image_checksum(std::span<const uint8_t> bytes) {
  uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  for (uint8_t c : bytes) {
    a = (a ^ c) * 0x100000001b3ull;
    b = (b ^ c ^ 0x5a) * 0x100000001b3ull;
  }
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(a >> (8 * i));
    out[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  return out;
}

}  // namespace hull
